// Text and address normalisation: the first step of the hot path. Both functions are idempotent:
// normalising an already normalised string returns it unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <string>

namespace routing_core {

// Folds full-width ASCII forms and the ideographic space to ASCII, lower-cases ASCII letters,
// removes control characters, collapses whitespace runs to one space and trims, and rewrites
// Chinese numerals that count something (一百六十八号 → 168号, 三楼 → 3楼, 第二 → 第2) as Arabic digits.
std::u32string normalise_text(std::u32string_view text);

// normalise_text, then removes all spaces (addresses carry no meaningful whitespace).
std::u32string normalise_address(std::u32string_view address);

// Value of a run of Chinese numerals (一六八 → 168, 一百六十八 → 168, 两千零五 → 2005); nullopt when
// the run is not a well-formed number.
std::optional<std::uint64_t> chinese_numeral_value(std::u32string_view run);

bool is_cjk(char32_t cp) noexcept;
bool is_digit(char32_t cp) noexcept;
// A character of a word in a normalised text (CJK, digit, lower-case Latin): what shingles and the
// Indel wording read; punctuation and spaces are not.
bool is_word_char(char32_t cp) noexcept;

}  // namespace routing_core
