#include "routing_core/utf16.hpp"

namespace routing_core::utf16 {

std::vector<char16_t> encode(std::u32string_view text) {
    std::size_t units = 0;
    for (char32_t cp : text) units += cp > 0xFFFF ? 2 : 1;
    std::vector<char16_t> out;
    out.reserve(units);
    for (char32_t cp : text) {
        if (cp > 0xFFFF) {
            const char32_t v = cp - 0x10000;
            out.push_back(static_cast<char16_t>(0xD800 + (v >> 10)));
            out.push_back(static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
        } else {
            out.push_back(static_cast<char16_t>(cp));
        }
    }
    return out;
}

std::size_t decode(const std::vector<char16_t>& units, char32_t* out) noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < units.size(); ++i) {
        const char32_t u = units[i];
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units.size()) {
            out[n++] = 0x10000 + ((u - 0xD800) << 10) + (static_cast<char32_t>(units[++i]) - 0xDC00);
        } else {
            out[n++] = u;
        }
    }
    return n;
}

}  // namespace routing_core::utf16
