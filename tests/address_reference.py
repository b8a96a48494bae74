"""Pure-Python reference of the C++ text normalisation (cpp/src/normalise.cpp): slow, obviously right.

Used as the oracle of Hypothesis parity tests (tests/test_address_properties.py). It follows the
contract written in normalise.hpp, not the C++ code's structure:

* fold: full-width ASCII forms U+FF01..U+FF5E to ASCII, ASCII upper case to lower case, and a
  few CJK punctuation marks to ASCII; control characters are dropped; whitespace runs become
  one space (none in an address), trimmed;
* a run of Chinese numerals becomes Arabic digits when a counter follows it (号, 幢, 楼 ...) or
  第 precedes it, and only when it is a well-formed number.
"""

from __future__ import annotations

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERALS = set(DIGITS) | set(UNITS) | {"万"}
COUNTERS = set("号幢栋弄巷室楼层米户人个次天辆座组期单间家名位条处只台点小分年月日元块吨周")
SPACES = {" ", "\t", "\n", "\r", "\v", "\f", "\u00a0", "\u3000", "\u202f", "\u205f", "\ufeff"} | {
    chr(c) for c in range(0x2000, 0x200C)
}
PUNCTUATION = {"。": ".", "、": ",", "【": "[", "】": "]", "“": '"', "”": '"', "‘": "'", "’": "'"}


def _section(text: str) -> int | None:
    """Value of a numeral below 10,000 written with 千/百/十 (一千零五, 三百二十, 十二); None if malformed.

    Multipliers must decrease; a digit before a multiplier may be left out (十二, 百五 = 105);
    零 may stand between parts but never directly before a multiplier; two digits may not follow
    each other unless a 零 is the first of them.
    """
    value = 0
    pending: int | None = None  # digit read and not yet multiplied
    last_unit = 10_000
    for ch in text:
        if ch in DIGITS:
            if pending is not None and pending > 0:
                return None
            pending = DIGITS[ch]
            continue
        unit = UNITS[ch]
        if unit >= last_unit or pending == 0:
            return None
        value += (1 if pending is None else pending) * unit
        pending = None
        last_unit = unit
    return value + (pending or 0)


def chinese_numeral_value(run: str) -> int | None:
    """The number a run of Chinese numerals writes, or None (mirrors routing_core's contract)."""
    if not run or len(run) > 12 or any(ch not in NUMERALS for ch in run):
        return None
    if all(ch in DIGITS for ch in run):  # digit by digit: 一六八 = 168, 二〇一 = 201
        return int("".join(str(DIGITS[ch]) for ch in run))
    if run.count("万") > 1:  # 一万二万 is not a number
        return None
    total = 0
    for k, part in enumerate(run.split("万")):
        is_last = k == len(run.split("万")) - 1
        value = _section(part)
        if value is None:
            return None
        if is_last:
            total += value
        else:
            total = (total + value) * 10_000 if (total + value) else 10_000
    return total


def _fold(ch: str) -> str:
    cp = ord(ch)
    if 0xFF01 <= cp <= 0xFF5E:
        ch = chr(cp - 0xFEE0)
    if "A" <= ch <= "Z":
        ch = ch.lower()
    return PUNCTUATION.get(ch, ch)


def _is_control(ch: str) -> bool:
    return ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0


def normalise(text: str, *, keep_spaces: bool) -> str:
    folded: list[str] = []
    pending_space = False
    for ch in text:
        if ch in SPACES:
            pending_space = bool(folded)
            continue
        if _is_control(ch):
            continue
        if pending_space and keep_spaces:
            folded.append(" ")
        pending_space = False
        folded.append(_fold(ch))
    out: list[str] = []
    i = 0
    while i < len(folded):
        if folded[i] not in NUMERALS:
            out.append(folded[i])
            i += 1
            continue
        j = i
        while j < len(folded) and folded[j] in NUMERALS:
            j += 1
        run = "".join(folded[i:j])
        counted = j < len(folded) and folded[j] in COUNTERS
        ordinal = i > 0 and folded[i - 1] == "第"
        value = chinese_numeral_value(run) if counted or ordinal else None
        out.append(str(value) if value is not None else run)
        i = j
    return "".join(out)


def normalise_address(text: str) -> str:
    return normalise(text, keep_spaces=False)


def normalise_text(text: str) -> str:
    return normalise(text, keep_spaces=True)


def render_chinese(n: int) -> str:
    """The usual Chinese writing of 0 <= n < 100,000,000 (the inverse direction, for parity tests)."""
    digits = "零一二三四五六七八九"

    def below_10000(v: int, leading: bool) -> str:
        out = ""
        zero = False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = v // unit % 10
            if d == 0:
                zero = bool(out) or not leading
                continue
            if zero and (out or not leading):
                out += "零"
            zero = False
            out += ("" if (unit == 10 and d == 1 and not out and leading) else digits[d]) + name
        return out

    if n == 0:
        return "零"
    high, low = divmod(n, 10_000)
    if high == 0:
        return below_10000(low, True)
    text = below_10000(high, True) + "万"
    if low:  # 一万零五, 一万零一十 (after 零 the tens keep their 一), 一万一千
        text += below_10000(low, False) if low >= 1000 else "零" + below_10000(low, False).lstrip("零")
    return text
