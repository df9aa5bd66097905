#!/usr/bin/env bash
# Install the store gateway on Raspberry Pi OS / Debian, from the checkout this script sits in:
# the user storegw, the venv in /opt/storegw (and /usr/local/bin/storegw), /etc/storegw/gateway.toml
# (kept if present), the udev rules, the systemd units and, with --with-mosquitto, a local broker
# bridged to the cloud. Every argument is checked before anything changes.
#
# Idempotent: every file is compared before it is written; one line per change ("changed: PATH")
# and "nothing changed" when a run had nothing to do. Run `install.sh --help` for the options.
set -euo pipefail
umask 022 # what it creates is readable by the service user, whatever root's umask is
shopt -u patsub_replacement 2>/dev/null || true # bash 5.2: '&' in ${x//a/b} stays literal

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE="$SRC/firmware-config"
PREFIX=/opt/storegw
VENV=$PREFIX/.venv
STAMP=$VENV/.storegw-source # the hash of the source the venv was built from
SERVICE_USER=storegw
BRIDGE_CONF=/etc/mosquitto/conf.d/storegw-bridge.conf

usage() {
	cat <<'EOF'
usage: sudo firmware-config/install.sh [options]

  --dry-run               print what would change, change nothing
  --root DIR              install into DIR as a scratch root (tests): no apt-get, systemctl
                          or udevadm; the user is written to DIR/etc/passwd and group
  --no-venv               skip the venv in /opt/storegw (tests of everything else)
  --wheelhouse DIR        install Python packages from DIR only (pip --no-index), offline
  --with-mosquitto        a local Mosquitto bridged to the cloud broker (needs --bridge-url)
  --bridge-url URL        mqtts://host[:8883] (or mqtt:// on a trusted network only)
  --bridge-user U         user name on the cloud broker
  --bridge-password P     its password (or STOREGW_BRIDGE_PASSWORD in the environment, which
                          keeps it out of the process list)
  --bridge-ca FILE        CA certificate (PEM) of the cloud broker; default: the system's CAs
  --store-id ID           the shop's id: written into /etc/storegw/gateway.toml in place of
                          the example's placeholder, and used in the bridged topics; default:
                          [store] id of that file. Without it, and while that file still has
                          the placeholder, the service is enabled but not started
  -h, --help              this text
EOF
}

die() {
	echo "install.sh: $*" >&2
	exit 2
}

ROOT=""
DRY_RUN=0
WITH_VENV=1
WHEELHOUSE=""
WITH_MOSQUITTO=0
BRIDGE_URL=""
BRIDGE_USER=""
BRIDGE_PASSWORD="${STOREGW_BRIDGE_PASSWORD:-}"
BRIDGE_CA=""
STORE_ID=""
# An option's value must be there: never in $(...), whose exit would not stop this shell (an
# empty --root would then mean the real system).
need_value() { # option what arguments-left value
	if [ "$3" -lt 2 ] || [ -z "$4" ]; then
		usage >&2
		die "$1 needs $2"
	fi
}
while [ $# -gt 0 ]; do
	case "$1" in
	--dry-run) DRY_RUN=1 ;;
	--root) need_value "$1" "a directory" $# "${2-}" && ROOT=$2 && shift ;;
	--no-venv) WITH_VENV=0 ;;
	--wheelhouse) need_value "$1" "a directory" $# "${2-}" && WHEELHOUSE=$2 && shift ;;
	--with-mosquitto) WITH_MOSQUITTO=1 ;;
	--bridge-url) need_value "$1" "a URL" $# "${2-}" && BRIDGE_URL=$2 && shift ;;
	--bridge-user) need_value "$1" "a name" $# "${2-}" && BRIDGE_USER=$2 && shift ;;
	--bridge-password) need_value "$1" "a value" $# "${2-}" && BRIDGE_PASSWORD=$2 && shift ;;
	--bridge-ca) need_value "$1" "a file" $# "${2-}" && BRIDGE_CA=$2 && shift ;;
	--store-id) need_value "$1" "an id" $# "${2-}" && STORE_ID=$2 && shift ;;
	-h | --help) usage && exit 0 ;;
	*) usage >&2 && die "unknown option $1" ;;
	esac
	shift
done

[ "$(id -u)" = 0 ] || die "run it as root (sudo $0)"
if [ -n "$ROOT" ]; then
	[ -d "$ROOT" ] || die "--root $ROOT: no such directory"
	ROOT=$(cd "$ROOT" && pwd)
	[ "$ROOT" != / ] || ROOT=""
fi
[ -f "$ROOT/etc/passwd" ] || die "$ROOT/etc/passwd is missing: a scratch root needs etc/passwd and etc/group"
[ -z "$WHEELHOUSE" ] || [ -d "$WHEELHOUSE" ] || die "--wheelhouse $WHEELHOUSE: no such directory"

# The real system gets apt-get, systemctl and udevadm; a scratch root never does.
REAL=1
[ -z "$ROOT" ] || REAL=0

WORK=$(mktemp -d) # scratch space of this run
trap 'rm -rf "$WORK"' EXIT

CHANGES=0
note_change() { # what
	CHANGES=$((CHANGES + 1))
	if [ "$DRY_RUN" = 1 ]; then echo "would change: $1"; else echo "changed: $1"; fi
}

# Ids from the target's own passwd and group files, so that a scratch root owns its files by
# its own numbers, not the host's.
gid_of() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$ROOT/etc/group"; }
uid_of() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$ROOT/etc/passwd"; }
group_exists() { [ -n "$(gid_of "$1")" ]; }
owner_ids() { # "user:group" -> "uid:gid"; 0 when not created yet (a dry run)
	local uid gid
	uid=$(uid_of "${1%%:*}")
	gid=$(gid_of "${1##*:}")
	echo "${uid:-0}:${gid:-0}"
}

# Modes are written as stat prints them ("640", not "0640").
meta_differs() { # path mode user:group
	[ "$(stat -c '%a %u:%g' "$1")" != "$2 $(owner_ids "$3")" ]
}
set_meta() { # path mode user:group
	chown "$(owner_ids "$3")" "$1"
	chmod "$2" "$1"
}

# install_dir PATH MODE USER:GROUP
install_dir() {
	local target="$ROOT$1"
	if [ ! -d "$target" ]; then
		note_change "$1/ (created)"
		[ "$DRY_RUN" = 1 ] || { mkdir -p "$target" && set_meta "$target" "$2" "$3"; }
	elif meta_differs "$target" "$2" "$3"; then
		note_change "$1/ (mode or owner)"
		[ "$DRY_RUN" = 1 ] || set_meta "$target" "$2" "$3"
	fi
}

# install_file SOURCE PATH MODE USER:GROUP [keep]: write SOURCE's bytes to PATH when they
# differ (atomically: a temporary file renamed over it); "keep" leaves an existing PATH's
# contents alone and only fixes its mode and owner.
install_file() {
	local source=$1 target="$ROOT$2" mode=$3 owner=$4 keep=${5:-}
	if [ -e "$target" ] && [ "$(readlink -f "$source")" = "$(readlink -f "$target")" ]; then
		return 0 # the checkout is /opt/storegw itself
	fi
	if [ ! -e "$target" ]; then
		note_change "$2 (created)"
	elif [ -z "$keep" ] && ! cmp -s "$source" "$target"; then
		note_change "$2 (updated)"
	elif meta_differs "$target" "$mode" "$owner"; then
		note_change "$2 (mode or owner)"
		[ "$DRY_RUN" = 1 ] || set_meta "$target" "$mode" "$owner"
		return 0
	else
		return 0
	fi
	[ "$DRY_RUN" = 0 ] || return 0
	mkdir -p "$(dirname "$target")"
	local tmp
	tmp=$(mktemp "$(dirname "$target")/.storegw-install.XXXXXX")
	cat "$source" >"$tmp"
	set_meta "$tmp" "$mode" "$owner"
	mv -f "$tmp" "$target"
}

# --- the user ------------------------------------------------------------------------------
# useradd/usermod --prefix write DIR/etc/passwd, group, shadow and gshadow (shadow-utils 4.9+).
PREFIX_ARGS=()
[ -z "$ROOT" ] || PREFIX_ARGS=(--prefix "$ROOT")

ensure_user() {
	if ! group_exists dialout; then # Debian always has it (base-passwd); a bare root may not
		note_change "group dialout (created)"
		[ "$DRY_RUN" = 1 ] || groupadd --system "${PREFIX_ARGS[@]}" dialout
	fi
	if ! group_exists "$SERVICE_USER"; then
		note_change "group $SERVICE_USER (created)"
		[ "$DRY_RUN" = 1 ] || groupadd --system "${PREFIX_ARGS[@]}" "$SERVICE_USER"
	fi
	if [ -z "$(uid_of "$SERVICE_USER")" ]; then
		note_change "user $SERVICE_USER (created)"
		[ "$DRY_RUN" = 1 ] || useradd --system "${PREFIX_ARGS[@]}" --gid "$SERVICE_USER" \
			--home-dir /var/lib/storegw --no-create-home --shell /usr/sbin/nologin \
			--comment "Store gateway" "$SERVICE_USER"
	fi
	# dialout: serial ports; lp: USB printers; gpio: /dev/gpiochip* (Raspberry Pi OS only).
	local group
	for group in dialout lp gpio; do
		group_exists "$group" || continue
		if ! awk -F: -v g="$group" -v u="$SERVICE_USER" \
			'$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) found = 1 }
			 END { exit !found }' "$ROOT/etc/group"; then
			note_change "user $SERVICE_USER in group $group"
			[ "$DRY_RUN" = 1 ] || usermod "${PREFIX_ARGS[@]}" -a -G "$group" "$SERVICE_USER"
		fi
	done
}

# --- the venv ------------------------------------------------------------------------------
# What pip builds the project from; the hash of these files (and the Python version) decides
# whether the venv is up to date, so a second run skips pip entirely.
SOURCE_FILES=(pyproject.toml README.md gateway drivers simulators)
source_hash() {
	(
		cd "$SRC"
		python3 --version
		find "${SOURCE_FILES[@]}" -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 |
			LC_ALL=C sort -z | xargs -0 sha256sum
	) | sha256sum | cut -c1-64
}

ensure_venv() {
	[ "$WITH_VENV" = 1 ] || return 0
	local venv="$ROOT$VENV" want have=""
	want=$(source_hash)
	if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c '' 2>/dev/null && [ -f "$ROOT$STAMP" ]; then
		have=$(cat "$ROOT$STAMP")
	fi
	[ "$have" != "$want" ] || return 0
	note_change "$VENV (storegw from $SRC, source ${want:0:12})"
	[ "$DRY_RUN" = 0 ] || return 0
	if ! "$venv/bin/python" -c '' 2>/dev/null; then
		rm -rf "$venv"
		if ! python3 -m venv "$venv" && [ "$REAL" = 1 ]; then
			# Debian ships venv without ensurepip until python3-venv is installed.
			rm -rf "$venv"
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv
			python3 -m venv "$venv"
		fi
	fi
	local pip_args=(--disable-pip-version-check --no-input --quiet)
	[ -z "$WHEELHOUSE" ] || pip_args+=(--no-index --find-links "$WHEELHOUSE")
	# Build from a clean copy: pip builds in the source tree, and the checkout stays untouched.
	mkdir "$WORK/src" "$WORK/dist"
	(cd "$SRC" && tar -cf - --exclude=__pycache__ --exclude='*.pyc' --exclude='*.egg-info' \
		"${SOURCE_FILES[@]}") | tar -C "$WORK/src" -xf -
	"$venv/bin/pip" wheel "${pip_args[@]}" --no-deps --wheel-dir "$WORK/dist" "$WORK/src"
	"$venv/bin/pip" install "${pip_args[@]}" "$WORK"/dist/storegw-*.whl
	# Same version number, new code: pip would call it satisfied; replace the project itself.
	"$venv/bin/pip" install "${pip_args[@]}" --no-deps --force-reinstall "$WORK"/dist/storegw-*.whl
	echo "$want" >"$ROOT$STAMP"
}

# --- every argument, checked before anything changes ---------------------------------------
# shellcheck source-path=SCRIPTDIR source=install-checks.sh
. "$HERE/install-checks.sh"

# --- the Mosquitto bridge ------------------------------------------------------------------
render_bridge() { # the template with this shop's values (checked above), on stdout
	local ca_line line
	ca_line="bridge_capath /etc/ssl/certs"
	[ -z "$BRIDGE_CA" ] || ca_line="bridge_cafile /etc/mosquitto/certs/storegw-bridge-ca.pem"
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ "$line" == @TLS@* ]]; then
			[ "$BRIDGE_TLS" = 1 ] || continue
			line=${line#@TLS@}
		fi
		if [[ "$line" == @AUTH@* ]]; then
			[ -n "$BRIDGE_USER" ] || continue
			line=${line#@AUTH@}
			[[ "$line" != remote_password* || -n "$BRIDGE_PASSWORD" ]] || continue
		fi
		line=${line//@ADDRESS@/$BRIDGE_ADDRESS}
		line=${line//@STORE_ID@/$STORE}
		line=${line//@PREFIX@/$BRIDGE_PREFIX}
		line=${line//@CA_LINE@/$ca_line}
		line=${line//@USERNAME@/$BRIDGE_USER}
		line=${line//@PASSWORD@/$BRIDGE_PASSWORD}
		printf '%s\n' "$line"
	done <"$HERE/mosquitto/storegw-bridge.conf.template"
}

MOSQUITTO_CHANGED=0
ensure_mosquitto() {
	[ "$WITH_MOSQUITTO" = 1 ] || return 0
	if [ "$REAL" = 1 ] && ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; then
		note_change "package mosquitto (installed)"
		MOSQUITTO_CHANGED=1
		[ "$DRY_RUN" = 1 ] || {
			apt-get update
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mosquitto
		}
	fi
	local rendered="$WORK/storegw-bridge.conf" before=$CHANGES group=root
	render_bridge >"$rendered"
	# It holds the cloud password: readable by root and the broker's group only.
	! group_exists mosquitto || group=mosquitto
	install_dir /etc/mosquitto/conf.d 755 root:root
	if [ -n "$BRIDGE_CA" ]; then
		install_dir /etc/mosquitto/certs 755 root:root
		install_file "$BRIDGE_CA" /etc/mosquitto/certs/storegw-bridge-ca.pem 644 root:root
	fi
	install_file "$rendered" "$BRIDGE_CONF" 640 "root:$group"
	[ "$CHANGES" = "$before" ] || MOSQUITTO_CHANGED=1
}

# --- the configuration -----------------------------------------------------------------------
install_config() { # the example, kept once there; with --store-id, the id set (checked above)
	if [ -n "$CONFIG_WITH_ID" ]; then
		install_file "$CONFIG_WITH_ID" "$CONFIG" 640 "root:$SERVICE_USER"
	else
		install_file "$HERE/gateway.example.toml" "$CONFIG" 640 "root:$SERVICE_USER" keep
	fi
}

# /usr/local/bin/storegw: the command the README, the /setup page and the log tell people to run.
install_command_link() {
	local link="$ROOT/usr/local/bin/storegw" want="$VENV/bin/storegw"
	[ "$(readlink "$link" 2>/dev/null)" != "$want" ] || return 0
	note_change "/usr/local/bin/storegw -> $want"
	[ "$DRY_RUN" = 1 ] || { mkdir -p "$(dirname "$link")" && ln -sfn "$want" "$link"; }
}

# --- everything, in order ------------------------------------------------------------------
[ -z "$ROOT" ] || echo "installing into the scratch root $ROOT"
[ "$DRY_RUN" = 0 ] || echo "dry run: nothing is changed"
START=$CHANGES
ensure_user
install_dir "$PREFIX" 755 root:root
install_file "$SRC/README.md" "$PREFIX/README.md" 644 root:root
ensure_venv
install_command_link
CODE_CHANGED=$((CHANGES - START)) # the user's groups count: the service gets them on a restart

START=$CHANGES
install_dir /etc/storegw 750 "root:$SERVICE_USER"
install_config
install_file /dev/null /etc/storegw/gateway.env 640 "root:$SERVICE_USER" keep
CONFIG_CHANGED=$((CHANGES - START))

START=$CHANGES
install_dir /etc/udev/rules.d 755 root:root
install_file "$HERE/99-storegw.rules" /etc/udev/rules.d/99-storegw.rules 644 root:root
UDEV_CHANGED=$((CHANGES - START))

START=$CHANGES
install_dir /etc/systemd/system 755 root:root
for unit in storegw.service storegw-backup.service storegw-backup.timer; do
	install_file "$SRC/systemd/$unit" "/etc/systemd/system/$unit" 644 root:root
done
UNITS_CHANGED=$((CHANGES - START))

ensure_mosquitto

# --- the running system --------------------------------------------------------------------
run() { # a command on the real system only; printed in a dry run
	if [ "$DRY_RUN" = 1 ]; then echo "would run: $*"; else "$@"; fi
}
if [ "$REAL" = 1 ]; then
	if [ "$UDEV_CHANGED" != 0 ] && command -v udevadm >/dev/null; then
		run udevadm control --reload
		run udevadm trigger --subsystem-match=tty --subsystem-match=usbmisc --subsystem-match=usb
	fi
	if [ -d /run/systemd/system ]; then
		[ "$UNITS_CHANGED" = 0 ] || run systemctl daemon-reload
		if [ "$MOSQUITTO_CHANGED" != 0 ]; then
			run systemctl enable mosquitto.service
			run systemctl restart mosquitto.service
		fi
		# New code, configuration or unit: a running gateway restarts onto it.
		if [ $((CODE_CHANGED + CONFIG_CHANGED + UNITS_CHANGED)) != 0 ]; then
			run systemctl try-restart storegw.service
		fi
		if [ "$CONFIGURED_ID" = "$PLACEHOLDER" ]; then # started now, it would take the placeholder
			run systemctl enable --quiet storegw.service
			run systemctl enable --now --quiet storegw-backup.timer
		else
			run systemctl enable --now --quiet storegw.service storegw-backup.timer
		fi
	else
		echo "systemd is not running here: enable storegw.service and storegw-backup.timer yourself"
	fi
fi

if [ "$WITH_MOSQUITTO" = 1 ] && [[ "$(toml_value "$ROOT$CONFIG" mqtt url none)" != mqtt://127.0.0.1:1883 ]]; then
	echo "note: point the gateway at the local broker: [mqtt] url = \"mqtt://127.0.0.1:1883\" in /etc/storegw/gateway.toml"
fi
if [ "$CONFIGURED_ID" = "$PLACEHOLDER" ]; then
	echo "next: set [store] id (this shop's id, not the example's \"$PLACEHOLDER\") in $CONFIG, then: sudo systemctl start storegw"
fi
if [ "$CHANGES" = 0 ]; then
	echo "nothing changed"
elif [ "$DRY_RUN" = 1 ]; then
	echo "$CHANGES change(s) would be made"
else
	echo "$CHANGES change(s) made"
fi
