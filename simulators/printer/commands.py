"""ESC/POS command bytes and the parameter counts of the fixed-length commands (Epson reference).

Commands whose length depends on their data (GS k, GS v 0, GS ( ..., ESC *) are parsed in
``decoder.py``; a command missing here is reported as unknown and skipped by its two bytes.
"""

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
LF, HT = 0x0A, 0x09

# Fixed-length commands: parameter byte count after the two command bytes.
ESC_PARAMS = {
    **dict.fromkeys(b"@2LSim<", 0),
    **dict.fromkeys(b"t!E-adJMG{V3 RrUeT=%?", 1),
    **dict.fromkeys(b"$\\B", 2),
    ord("c"): 2,  # ESC c 3 n, ESC c 4 n, ESC c 5 n
    ord("p"): 3,
    ord("W"): 8,
}
GS_PARAMS = {
    **dict.fromkeys(b":", 0),
    **dict.fromkeys(b"!hwHfBarIbT/E", 1),
    **dict.fromkeys(b"LWP$\\", 2),
    ord("^"): 3,
}
FS_PARAMS = {**dict.fromkeys(b"&.", 0), **dict.fromkeys(b"!-CW", 1), **dict.fromkeys(b"Sp", 2)}
ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
HRI = {
    n + base: where
    for base in (0, 48)
    for n, where in enumerate(("none", "above", "below", "both"))
}
