// UTF-16 for text that an event keeps while it can match: nearly all of it is CJK, one 16-bit unit
// per character where UTF-32 takes 32 bits (a character beyond the Basic Multilingual Plane takes
// two units, a surrogate pair).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace routing_core::utf16 {

// A Unicode scalar value: at most U+10FFFF and not a surrogate (what valid UTF-8 decodes to).
constexpr bool is_scalar(char32_t cp) noexcept { return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF); }

// Precondition: every code point is_scalar. Exactly the size needed.
std::vector<char16_t> encode(std::u32string_view text);

// The code points of what encode() returned, into `out`, which has room for units.size() of them;
// returns how many there are.
std::size_t decode(const std::vector<char16_t>& units, char32_t* out) noexcept;

}  // namespace routing_core::utf16
