#include "routing_core/utf8.hpp"

namespace routing_core::utf8 {

std::size_t valid_sequence_length(std::string_view s, std::size_t pos) noexcept {
    const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[pos + k]); };
    const std::size_t left = s.size() - pos;
    const unsigned char b0 = at(0);
    if (b0 < 0x80) return 1;
    const auto cont = [&](std::size_t k) { return k < left && (at(k) & 0xC0) == 0x80; };
    if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (b0 == 0xE0 && at(1) < 0xA0) return 0;   // overlong
        if (b0 == 0xED && at(1) >= 0xA0) return 0;  // UTF-16 surrogate
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (b0 == 0xF0 && at(1) < 0x90) return 0;  // overlong
        if (b0 == 0xF4 && at(1) >= 0x90) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

std::size_t find_invalid(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t len = valid_sequence_length(s, i);
        if (len == 0) return i;
        i += len;
    }
    return std::string_view::npos;
}

std::u32string decode(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        const std::size_t len = valid_sequence_length(s, i);
        char32_t cp = 0;
        switch (len) {
            case 1: cp = b0; break;
            case 2: cp = (b0 & 0x1Fu) << 6 | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu); break;
            case 3:
                cp = (b0 & 0x0Fu) << 12 | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6 |
                     (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
                break;
            case 4:
                cp = (b0 & 0x07u) << 18 | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12 |
                     (static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6 |
                     (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
                break;
            default: cp = 0xFFFD; break;  // unreachable for validated input; never loops forever
        }
        out.push_back(cp);
        i += len == 0 ? 1 : len;
    }
    return out;
}

void append(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string encode(std::u32string_view s) {
    std::string out;
    out.reserve(s.size() * 3);
    for (char32_t cp : s) append(out, cp);
    return out;
}

}  // namespace routing_core::utf8
