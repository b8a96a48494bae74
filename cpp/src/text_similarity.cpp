#include "routing_core/text_similarity.hpp"

#include <algorithm>

#include "routing_core/normalise.hpp"

namespace routing_core {
namespace {

Shingle make_shingle(char32_t first, char32_t second) noexcept {
    return static_cast<Shingle>(first) << 21 | static_cast<Shingle>(second);
}

}  // namespace

std::vector<Shingle> shingles(std::u32string_view text) {
    std::vector<Shingle> out;
    out.reserve(2 * text.size());  // a unigram and a bigram per character at most
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_word_char(text[i])) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && is_word_char(text[j])) ++j;
        for (std::size_t k = i; k < j; ++k) {
            out.push_back(make_shingle(0, text[k]));
            if (k + 1 < j) out.push_back(make_shingle(text[k], text[k + 1]));
        }
        i = j;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace routing_core
