# Sourced by install.sh (bash): every argument checked before anything changes. Sets CONFIG,
# PLACEHOLDER, CONFIGURED_ID, STORE, CONFIG_WITH_ID and the BRIDGE_* values install.sh uses;
# stops with status 2 (die) on the first value it cannot use.
# shellcheck shell=bash disable=SC2034

# --- every argument, checked before anything changes ---------------------------------------
CONFIG=/etc/storegw/gateway.toml
toml_value() { # file section key default: with Python's tomllib; a broken file stops the run
	python3 - "$1" "$2" "$3" "$4" <<'PY' || exit 2
import sys, tomllib
path, section, key, default = sys.argv[1:]
try:
    with open(path, "rb") as f:
        print(tomllib.load(f).get(section, {}).get(key, default))
except FileNotFoundError:
    print(default)
except tomllib.TOMLDecodeError as exc:
    sys.exit(f"install.sh: {path}: {exc}")
PY
}
# The example's [store] id is a placeholder: a gateway started with it stamps its database
# with it, and then refuses the shop's real id.
PLACEHOLDER=$(toml_value "$HERE/gateway.example.toml" store id shop-001)
CONFIGURED_ID=$(toml_value "$ROOT$CONFIG" store id shop-001) # the gateway's own default
is_topic_level() { [[ "$1" =~ ^[^/+#[:space:]\"\\]+$ ]]; }
if [ -n "$STORE_ID" ]; then
	is_topic_level "$STORE_ID" || die "--store-id '$STORE_ID': no '/', '+', '#', quotes or spaces (an MQTT topic level)"
	[ "$CONFIGURED_ID" = "$PLACEHOLDER" ] || [ "$CONFIGURED_ID" = "$STORE_ID" ] ||
		die "--store-id $STORE_ID, but $CONFIG says [store] id = \"$CONFIGURED_ID\": change one of them"
fi
STORE=${STORE_ID:-$CONFIGURED_ID}
CONFIG_WITH_ID="" # the configuration to install with --store-id's id in it, when it differs
if [ -n "$STORE_ID" ] && [ "$CONFIGURED_ID" != "$STORE_ID" ]; then
	CONFIG_WITH_ID="$WORK/gateway.toml"
	config_source="$HERE/gateway.example.toml"
	[ ! -e "$ROOT$CONFIG" ] || config_source="$ROOT$CONFIG"
	python3 - "$config_source" "$STORE_ID" >"$CONFIG_WITH_ID" <<'PY' || exit 2
import re, sys, tomllib
path, store_id = sys.argv[1:]
lines = open(path, encoding="utf-8").read().splitlines(keepends=True)
line = f'id = "{store_id}"\n'
header = next((i for i, t in enumerate(lines) if re.match(r"\s*\[\s*store\s*\]", t)), None)
if header is None:
    lines[:0] = ["[store]\n", line, "\n"]
else:
    end = next((i for i in range(header + 1, len(lines)) if re.match(r"\s*\[", lines[i])), len(lines))
    key = next((i for i in range(header + 1, end) if re.match(r"\s*id\s*=", lines[i])), None)
    lines[key if key is not None else header + 1 : key + 1 if key is not None else header + 1] = [line]
text = "".join(lines)
if tomllib.loads(text).get("store", {}).get("id") != store_id:
    sys.exit(f"install.sh: cannot set [store] id in {path}: set it there by hand")
sys.stdout.write(text)
PY
	CONFIGURED_ID=$STORE_ID
fi

BRIDGE_TLS=0 BRIDGE_ADDRESS=""
if [ "$WITH_MOSQUITTO" = 1 ]; then
	[ -n "$BRIDGE_URL" ] || die "--with-mosquitto needs --bridge-url mqtts://host:8883"
	[ -z "$BRIDGE_CA" ] || [ -f "$BRIDGE_CA" ] || die "--bridge-ca $BRIDGE_CA: no such file"
	scheme=${BRIDGE_URL%%://*} hostport=${BRIDGE_URL#*://}
	hostport=${hostport%%/*}
	case "$scheme" in
	mqtts) BRIDGE_TLS=1 port=8883 ;;
	mqtt) port=1883 ;;
	*) die "--bridge-url $BRIDGE_URL: use mqtts://host[:port] (or mqtt://)" ;;
	esac
	[[ "$hostport" != *:* ]] || { port=${hostport##*:} && hostport=${hostport%:*}; }
	if [[ -z "$hostport" || ! "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
		die "--bridge-url $BRIDGE_URL: no host:port in it"
	fi
	BRIDGE_ADDRESS="$hostport:$port"
	for value in "$BRIDGE_USER" "$BRIDGE_PASSWORD"; do
		[[ "$value" != *[[:space:]]* ]] || die "--bridge-user/--bridge-password: Mosquitto cannot read spaces in them"
	done
	[ -n "$BRIDGE_USER" ] || [ -z "$BRIDGE_PASSWORD" ] || die "--bridge-password needs --bridge-user"
	is_topic_level "$STORE" || die "store id '$STORE' cannot be a topic level"
	BRIDGE_PREFIX=$(toml_value "$ROOT$CONFIG" mqtt topic_prefix storegw)
	[ "$BRIDGE_TLS" = 1 ] ||
		echo "install.sh: warning: $BRIDGE_URL is not TLS: the shop's data crosses the network in clear" >&2
elif [ -n "$BRIDGE_URL$BRIDGE_USER$BRIDGE_CA" ]; then
	die "--bridge-* options need --with-mosquitto"
fi
