#include "routing_core/normalise.hpp"

#include <string>

namespace routing_core {
namespace {

int digit_of(char32_t cp) noexcept {
    switch (cp) {
        case U'零': case U'〇': return 0;
        case U'一': return 1;
        case U'二': case U'两': return 2;
        case U'三': return 3;
        case U'四': return 4;
        case U'五': return 5;
        case U'六': return 6;
        case U'七': return 7;
        case U'八': return 8;
        case U'九': return 9;
        default: return -1;
    }
}

std::uint64_t multiplier_of(char32_t cp) noexcept {
    switch (cp) {
        case U'十': return 10;
        case U'百': return 100;
        case U'千': return 1000;
        case U'万': return 10000;
        default: return 0;
    }
}

bool is_numeral(char32_t cp) noexcept { return digit_of(cp) >= 0 || multiplier_of(cp) != 0; }

// Characters after which a preceding numeral run is a count or an ordinal, not part of a name:
// 三楼 is "floor 3" but 三江 is a place name and stays as written.
bool is_counter(char32_t cp) noexcept {
    switch (cp) {
        case U'号': case U'幢': case U'栋': case U'弄': case U'巷': case U'室': case U'楼': case U'层':
        case U'米': case U'户': case U'人': case U'个': case U'次': case U'天': case U'辆': case U'座':
        case U'组': case U'期': case U'单': case U'间': case U'家': case U'名': case U'位': case U'条':
        case U'处': case U'只': case U'台': case U'点': case U'小': case U'分': case U'年': case U'月':
        case U'日': case U'元': case U'块': case U'吨': case U'周':
            return true;
        default:
            return false;
    }
}

bool is_space(char32_t cp) noexcept {
    return cp == U' ' || cp == U'\t' || cp == U'\n' || cp == U'\r' || cp == U'\v' || cp == U'\f' ||
           cp == 0x00A0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F ||
           cp == 0xFEFF;
}

bool is_control(char32_t cp) noexcept { return cp < 0x20 || (cp >= 0x7F && cp < 0xA0); }

char32_t fold(char32_t cp) noexcept {
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp = cp - 0xFF01 + 0x21;  // full-width ASCII forms
    if (cp >= U'A' && cp <= U'Z') cp = cp - U'A' + U'a';
    switch (cp) {
        case U'。': return U'.';
        case U'、': return U',';
        case U'【': return U'[';
        case U'】': return U']';
        case U'“': case U'”': return U'"';
        case U'‘': case U'’': return U'\'';
        default: return cp;
    }
}

void append_number(std::u32string& out, std::uint64_t value) {
    for (char c : std::to_string(value)) out.push_back(static_cast<char32_t>(c));
}

}  // namespace

bool is_cjk(char32_t cp) noexcept {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2FA1F) ||
           cp == U'〇';
}

bool is_digit(char32_t cp) noexcept { return cp >= U'0' && cp <= U'9'; }

bool is_word_char(char32_t cp) noexcept { return is_cjk(cp) || is_digit(cp) || (cp >= U'a' && cp <= U'z'); }

std::optional<std::uint64_t> chinese_numeral_value(std::u32string_view run) {
    if (run.empty() || run.size() > 12) return std::nullopt;
    bool positional = false;
    for (char32_t cp : run) {
        if (!is_numeral(cp)) return std::nullopt;
        if (multiplier_of(cp) != 0) positional = true;
    }
    if (!positional) {  // digit by digit: 一六八 → 168, 二〇一 → 201
        std::uint64_t value = 0;
        for (char32_t cp : run) value = value * 10 + static_cast<std::uint64_t>(digit_of(cp));
        return value;
    }
    std::uint64_t total = 0;    // completed 万 sections
    std::uint64_t section = 0;  // below 万
    int digit = -1;             // pending digit, -1 when none
    std::uint64_t last_multiplier = 100000;
    bool seen_wan = false;
    for (char32_t cp : run) {
        const int d = digit_of(cp);
        if (d >= 0) {
            if (digit > 0) return std::nullopt;  // two digits in a row in positional form (一二十)
            digit = d;
            continue;
        }
        const std::uint64_t m = multiplier_of(cp);
        if (m == 10000) {
            if (seen_wan) return std::nullopt;  // 一万二万 is not a number
            seen_wan = true;
            total += (section + static_cast<std::uint64_t>(digit < 0 ? 0 : digit)) * 10000;
            if (total == 0) total = 10000;
            section = 0;
            digit = -1;
            last_multiplier = 100000;
            continue;
        }
        if (m >= last_multiplier) return std::nullopt;  // 十百 is not a number
        if (digit == 0) return std::nullopt;            // 零十 is not a number
        section += static_cast<std::uint64_t>(digit < 0 ? 1 : digit) * m;
        digit = -1;
        last_multiplier = m;
    }
    if (digit > 0) section += static_cast<std::uint64_t>(digit);
    return total + section;
}

// Shared by both public functions; spaces are dropped before numerals are rewritten so that the
// result is idempotent either way (三 楼 → 三楼 → 3楼 must happen in one pass).
static std::u32string normalise(std::u32string_view text, bool keep_spaces) {
    std::u32string folded;
    folded.reserve(text.size());
    bool pending_space = false;
    for (char32_t raw : text) {
        if (is_space(raw)) {
            pending_space = !folded.empty();
            continue;
        }
        if (is_control(raw)) continue;
        if (pending_space && keep_spaces) folded.push_back(U' ');
        pending_space = false;
        folded.push_back(fold(raw));
    }

    std::u32string out;
    out.reserve(folded.size());
    std::size_t i = 0;
    while (i < folded.size()) {
        if (!is_numeral(folded[i])) {
            out.push_back(folded[i++]);
            continue;
        }
        std::size_t j = i;
        while (j < folded.size() && is_numeral(folded[j])) ++j;
        const std::u32string_view run(folded.data() + i, j - i);
        const bool counted = j < folded.size() && is_counter(folded[j]);
        const bool ordinal = i > 0 && folded[i - 1] == U'第';
        const auto value = (counted || ordinal) ? chinese_numeral_value(run) : std::nullopt;
        if (value) {
            append_number(out, *value);
        } else {
            out.append(run);
        }
        i = j;
    }
    return out;
}

std::u32string normalise_text(std::u32string_view text) { return normalise(text, true); }

std::u32string normalise_address(std::u32string_view address) { return normalise(address, false); }

}  // namespace routing_core
