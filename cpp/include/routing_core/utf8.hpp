// UTF-8 decoding and encoding. The core works on code points (char32_t) for Chinese text, so every
// input string is validated and decoded once at the boundary.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace routing_core::utf8 {

// Length of the valid UTF-8 sequence starting at `pos`, or 0 when the bytes there are not valid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t valid_sequence_length(std::string_view s, std::size_t pos) noexcept;

// Byte offset of the first invalid sequence, or npos when `s` is valid UTF-8.
std::size_t find_invalid(std::string_view s) noexcept;

// Decode valid UTF-8 (precondition: find_invalid(s) == npos).
std::u32string decode(std::string_view s);

std::string encode(std::u32string_view s);
void append(std::string& out, char32_t cp);

}  // namespace routing_core::utf8
