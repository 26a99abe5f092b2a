"""GS1 keys: EPC URNs and GS1 Digital Link URIs to one canonical Digital Link.

The canonical form is what CBV 2.0's event hash uses (`https://id.gs1.org/{AI}/{key}…`, the
finest level of identification, no query string), so one function serves matching and hashing.
It agrees with the reference hash package's normaliser on every GS1 form EPCIS uses; the test
suite compares the two on every identifier in the official examples and on generated keys.
"""

from __future__ import annotations

import re
from functools import lru_cache

DL_HOST = "https://id.gs1.org"

# TDS 2.0 URI-safe characters for serials and other alphanumeric components.
_XCHAR = (
    r"(?:%2[125-9A-Fa-f]|%3[0-9A-Fa-f]|%4[1-9A-Fa-f]|%5[0-9AaFf]|%6[1-9A-Fa-f]|%7[0-9Aa]"
    r"|[!')(*+,.0-9:;=A-Za-z_-])"
)
# Characters a canonical DL path component may hold (what the normaliser accepts).
_DLCHAR = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"


def check_digit(digits: str) -> int:
    """GS1 mod-10 check digit (GenSpecs 7.9.1): weights 3,1,3,… from the right."""
    if digits.isascii() and digits.isdigit():  # the usual: byte values summed in C
        data = digits.encode()
        odd, even = data[-1::-2], data[-2::-2]
        total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    else:  # other Unicode digits, which the URN patterns' \d also takes
        total = 3 * sum(map(int, digits[-1::-2])) + sum(map(int, digits[-2::-2]))
    return -total % 10


def _percent(component: str) -> str:
    """Digital Link (table 7-1) percent-encodes what EPC URIs leave bare."""
    for char, code in (("!", "%21"), ("(", "%28"), (")", "%29"), ("*", "%2A"), ("+", "%2B")):
        component = component.replace(char, code)
    return component.replace(",", "%2C").replace(":", "%3A")


def _gtin(cp: str, ref: str) -> str:
    raw = ref[:1] + cp + ref[1:]
    return raw + str(check_digit(raw))


def _gln(cp: str, ref: str) -> str:
    raw = cp + ref
    return raw + str(check_digit(raw))


def _sgtin(m: re.Match[str]) -> str:
    return f"{DL_HOST}/01/{_gtin(m[1], m[2])}/21/{_percent(m[3])}"


def _sscc(m: re.Match[str]) -> str:
    raw = m[2][:1] + m[1] + m[2][1:]
    return f"{DL_HOST}/00/{raw}{check_digit(raw)}"


def _sgln(m: re.Match[str]) -> str:
    base = f"{DL_HOST}/414/{_gln(m[1], m[2])}"
    return base if m[3] == "0" else f"{base}/254/{_percent(m[3])}"


def _grai(m: re.Match[str]) -> str:
    return f"{DL_HOST}/8003/{_gln('0' + m[1], m[2])}{_percent(m[3] or '')}"


def _giai(m: re.Match[str]) -> str:
    return f"{DL_HOST}/8004/{m[1]}{_percent(m[2])}"


def _simple(ai: str) -> object:
    def convert(m: re.Match[str]) -> str:
        return f"{DL_HOST}/{ai}/{_gln(m[1], m[2])}"

    return convert


def _gdti(m: re.Match[str]) -> str:
    return f"{DL_HOST}/253/{_gln(m[1], m[2])}{_percent(m[3] or '')}"


def _sgcn(m: re.Match[str]) -> str:
    return f"{DL_HOST}/255/{_gln(m[1], m[2])}{m[3] or ''}"


def _cpi(m: re.Match[str]) -> str:
    serial = f"/8011/{m[3]}" if m[3] is not None else ""
    return f"{DL_HOST}/8010/{_percent(m[1] + m[2])}{serial}"


def _ginc(m: re.Match[str]) -> str:
    return f"{DL_HOST}/401/{m[1]}{_percent(m[2])}"


def _itip(m: re.Match[str]) -> str:
    serial = f"/21/{_percent(m[5])}" if m[5] is not None else ""
    return f"{DL_HOST}/8006/{_gtin(m[1], m[2])}{m[3]}{m[4]}{serial}"


def _upui(m: re.Match[str]) -> str:
    serial = f"/235/{_percent(m[3])}" if m[3] is not None else ""
    return f"{DL_HOST}/01/{_gtin(m[1], m[2])}{serial}"


def _lgtin(m: re.Match[str]) -> str:
    return f"{DL_HOST}/01/{_gtin(m[1], m[2])}/10/{_percent(m[3])}"


def _gtin_only(m: re.Match[str]) -> str:
    return f"{DL_HOST}/01/{_gtin(m[1], m[2])}"


def _pair(total: int) -> str:
    """'(cp)\\.(ref)' where cp has 6..12 digits and cp+ref has `total` digits."""
    alts = [rf"(?=\d{{{n}}}\.\d{{{total - n}}}(?!\d))" for n in range(6, 13)]
    return "(?:" + "|".join(alts) + r")(\d{6,12})\.(\d*)"


_CPI_CHAR = r"(?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-])"

# (compiled pattern, converter). Lengths follow the reference normaliser and TDS 2.0.
_URN_RULES: list[tuple[re.Pattern[str], object]] = [
    (re.compile(rf"urn:epc:id:sgtin:{_pair(13)}\.({_XCHAR}{{1,20}})"), _sgtin),
    (re.compile(rf"urn:epc:id:sscc:{_pair(17)}"), _sscc),
    (re.compile(rf"urn:epc:id:sgln:{_pair(12)}\.({_XCHAR}{{1,20}})"), _sgln),
    (re.compile(rf"urn:epc:id:grai:{_pair(12)}\.({_XCHAR}{{1,16}})"), _grai),
    (re.compile(rf"urn:epc:id:giai:(\d{{6,12}})\.({_XCHAR}{{1,24}})"), _giai),
    (re.compile(rf"urn:epc:id:gsrn:{_pair(17)}"), _simple("8018")),
    (re.compile(rf"urn:epc:id:gsrnp:{_pair(17)}"), _simple("8017")),
    (re.compile(rf"urn:epc:id:gdti:{_pair(12)}\.({_XCHAR}{{0,19}})"), _gdti),
    (re.compile(rf"urn:epc:id:cpi:(\d{{6,12}})\.({_CPI_CHAR}{{1,24}})\.(\d{{1,12}})"), _cpi),
    (re.compile(rf"urn:epc:id:sgcn:{_pair(12)}\.(\d{{1,12}})"), _sgcn),
    (re.compile(rf"urn:epc:id:ginc:(\d{{6,12}})\.({_XCHAR}{{1,24}})"), _ginc),
    (re.compile(rf"urn:epc:id:gsin:{_pair(16)}"), _simple("402")),
    (re.compile(rf"urn:epc:id:itip:{_pair(13)}\.(\d\d)\.(\d\d)\.({_XCHAR}{{1,20}})"), _itip),
    (re.compile(rf"urn:epc:id:upui:{_pair(13)}\.({_XCHAR}{{1,28}})"), _upui),
    (re.compile(rf"urn:epc:id:pgln:{_pair(12)}"), _simple("417")),
    (re.compile(rf"urn:epc:class:lgtin:{_pair(13)}\.({_XCHAR}{{1,20}})"), _lgtin),
    (re.compile(rf"urn:epc:idpat:sgtin:{_pair(13)}\.\*"), _gtin_only),
    (re.compile(rf"urn:epc:idpat:grai:{_pair(12)}\.\*()"), _grai),
    (re.compile(rf"urn:epc:idpat:gdti:{_pair(12)}\.\*()"), _gdti),
    (re.compile(rf"urn:epc:idpat:sgcn:{_pair(12)}\.\*()"), _sgcn),
    (re.compile(rf"urn:epc:idpat:cpi:(\d{{6,12}})\.({_CPI_CHAR}{{1,24}})\.\*()"), _cpi),
    (re.compile(rf"urn:epc:idpat:itip:{_pair(13)}\.(\d\d)\.(\d\d)\.\*()"), _itip),
    (re.compile(rf"urn:epc:idpat:upui:{_pair(13)}\.\*()"), _upui),
]

_SHORT_NAMES = {
    "gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417",
    "gsrnp": "8017", "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253",
    "ginc": "401", "gsin": "402", "grai": "8003", "giai": "8004",
    "cpv": "22", "lot": "10", "ser": "21",
}  # fmt: skip
_PRIMARY = (
    r"01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|"
    r"253|gdti|401|ginc|402|gsin|8003|grai|8004|giai"
)
_DL_SHAPE = re.compile(
    r"https?:(?://(?:[^/?#]*@)?[^/?#:]*(?::[^/?#]*)?)?"
    rf"(?:[^?#]*/(?:{_PRIMARY})/\d{{4}}[^/]+(?:/[^/]+/[^/]+)?/?(?:\?[^?\n]*)?(?:#[^\n]*)?"
    r"|/[A-Za-z_-]{10}$)"
)
_PRIMARY_NUMERIC = "00 01 253 255 401 402 414 417 8003 8004 8006 8010 8017 8018".split()
_CANONICAL_START = re.compile(
    r"https://id.gs1.org/(?:01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)/\d{4}"
)
_C = _DLCHAR
_CANONICAL = re.compile(
    "|".join(
        [
            r"/00/\d{18}",
            rf"/01/\d{{14}}(?:/21/{_C}{{0,20}}|/10/{_C}{{0,20}}|/235/{_C}{{0,28}})?",
            rf"/253/\d{{13}}{_C}{{0,17}}",
            r"/255/\d{13}\d{0,12}",
            rf"/401/{_C}{{0,30}}",
            r"/402/\d{17}",
            rf"/414/\d{{13}}(?:/254/{_C}{{0,20}})?",
            r"/417/\d{13}",
            rf"/8003/\d{{14}}{_C}{{0,16}}",
            rf"/8004/{_C}{{0,30}}",
            rf"/8006/\d{{18}}(?:/21/{_C}{{0,20}}|/10/{_C}{{0,20}})?",
            r"/8010/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}(?:/8011/\d{0,12})?",
            r"/8017/\d{18}",
            r"/8018/\d{18}",
        ]
    )
)
_LOT_AND_SERIAL = re.compile(rf"/(01/\d{{14}}|8006/\d{{18}})/10/{_C}{{0,20}}(/21/{_C}{{0,20}})$")
_CPV = re.compile(rf"/(01/\d{{14}}|8006/\d{{18}})/22/[\x2F{_C[1:-1]}]{{0,20}}$")


def _from_urn(uri: str) -> str | None:
    for pattern, convert in _URN_RULES:
        m = pattern.fullmatch(uri)
        if m is not None:
            return convert(m)  # type: ignore[operator]
    return None


def _from_digital_link(uri: str) -> str | None:
    if _DL_SHAPE.match(uri) is None:
        return None
    uri = uri.split("?", 1)[0]
    for name, ai in _SHORT_NAMES.items():
        uri = uri.replace(f"/{name}/", f"/{ai}/")
    if _CANONICAL_START.match(uri) is None:
        # Any host: keep the path from the first primary key on.
        for ai in _PRIMARY_NUMERIC:
            at = uri.find(f"/{ai}/")
            if at != -1:
                uri = DL_HOST + uri[at:]
                break
    if not uri.startswith(f"{DL_HOST}/01/") or re.match(r"https://id.gs1.org/01/\d{14}", uri):
        pass
    elif re.match(r"https://id.gs1.org/01/\d{13}", uri):
        uri = uri.replace("/01/", "/01/0", 1)
    elif re.match(r"https://id.gs1.org/01/\d{12}", uri):
        uri = uri.replace("/01/", "/01/00", 1)
    elif re.match(r"https://id.gs1.org/01/\d{8}", uri):
        uri = uri.replace("/01/", "/01/000000", 1)
    # Only the finest level identifies: drop a CPV, and a lot beside a serial.
    uri = _drop_cpv(uri)
    m = _LOT_AND_SERIAL.search(uri)
    if m is not None:
        uri = uri[: m.start()] + f"/{m[1]}{m[2]}"
    if uri.startswith(DL_HOST) and _CANONICAL.fullmatch(uri, len(DL_HOST)):
        return uri
    return None


def _drop_cpv(uri: str) -> str:
    m = _CPV.search(uri)
    if m is None:
        return uri
    after = uri[uri.find("/22/") + 4 :]
    slash = after.find("/")
    # A CPV alone is dropped; a CPV followed by /21/… or /10/… keeps what follows it.
    return uri[: uri.find("/22/")] + (after[slash:] if slash != -1 else "")


@lru_cache(maxsize=65_536)
def canonical_gs1(uri: str) -> str | None:
    """The canonical Digital Link of an EPC URN or DL URI, or None if it holds no GS1 key."""
    if "." not in uri:
        return None
    if uri.startswith("urn:epc:"):
        return _from_urn(uri)
    if uri.startswith(("http://", "https://")):
        return _from_digital_link(uri)
    return None


# Keys that end in a GS1 check digit: AI → (key name, where the checked digits are in the
# canonical value). A GRAI is "0" + 13 digits; an ITIP's first 14 digits are its GTIN.
_CHECKED_KEYS = {
    "00": ("SSCC", 0, 18), "01": ("GTIN", 0, 14), "253": ("GDTI", 0, 13),
    "255": ("GCN", 0, 13), "402": ("GSIN", 0, 17), "414": ("GLN", 0, 13),
    "417": ("party GLN", 0, 13), "8003": ("GRAI", 1, 14), "8006": ("ITIP", 0, 14),
    "8017": ("GSRN-P", 0, 18), "8018": ("GSRN", 0, 18),
}  # fmt: skip
_CHECKED = re.compile(r"https://id\.gs1\.org/(00|01|253|255|402|414|417|8003|8006|8017|8018)/(\d+)")


def check_digit_error(uri: str) -> str | None:
    """Why a GS1 Digital Link's key has a wrong check digit, or None.

    An EPC URN carries no check digit (it is computed), but a Digital Link states one; a
    typo there would make a different identifier that never matches its URN twin.
    """
    if not uri.startswith(("http://", "https://")):
        return None
    canonical = canonical_gs1(uri)
    m = _CHECKED.match(canonical) if canonical else None
    if m is None:
        return None
    name, start, end = _CHECKED_KEYS[m[1]]
    key = m[2][start:end]
    expected = check_digit(key[:-1])
    if int(key[-1]) == expected:
        return None
    return f"{uri}: the {name} {key} has check digit {key[-1]}; it should be {expected}"


def is_pattern(uri: str) -> bool:
    """EPC pattern URIs (`urn:epc:idpat:…:*`) name every instance of a class."""
    return uri.startswith("urn:epc:idpat:")
