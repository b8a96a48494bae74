#include "routing_core/query_shingles.hpp"

#include <algorithm>

namespace routing_core {

QueryShingles::Entry& QueryShingles::insert(Shingle shingle) {
    const std::size_t k = probe(shingle);
    Entry& e = slots_[k];
    if (e.empty()) {
        e.key = shingle;
        used_.push_back(static_cast<std::uint32_t>(k));
    }
    return e;
}

void QueryShingles::mark_text(ShingleSpan set, std::vector<char>& marks) const {
    for (Shingle s : set) {
        const Entry* e = find(s);
        if (e != nullptr && e->text >= 0) marks[static_cast<std::size_t>(e->text)] = 1;
    }
}

void QueryShingles::assign(ShingleSpan text, const double* text_weight, ShingleSpan place,
                           const double* place_weight) {
    text_ = text;
    place_ = place;
    text_weight_ = text_weight;
    place_weight_ = place_weight;
    // Only the slots the last query took are emptied (the table is kept, and grows for a longer one).
    for (std::uint32_t k : used_) slots_[k] = Entry{};
    used_.clear();
    std::size_t size = std::max<std::size_t>(64, slots_.size());
    while (size < 4 * (text.size() + place.size())) size *= 2;
    if (size != slots_.size()) slots_.assign(size, Entry{});
    mask_ = size - 1;
    for (std::size_t i = 0; i < text.size(); ++i) insert(text[i]).text = static_cast<std::int32_t>(i);
    text_is_place_.assign(text.size(), 0);
    for (std::size_t i = 0; i < place.size(); ++i) {
        Entry& e = insert(place[i]);
        e.place = static_cast<std::int32_t>(i);
        if (e.text >= 0) text_is_place_[static_cast<std::size_t>(e.text)] = 1;
    }
}

double QueryShingles::dice(ShingleSpan other, const double* other_weight, ShingleSpan other_place,
                           std::vector<char>& marks) const {
    const std::size_t n = text_.size();
    if (marks.size() < n) marks.resize(n, 0);
    mark_text(other_place, marks);  // left out, as the text's own places are
    double wa = 0.0;
    for (std::size_t i = 0; i < n; ++i) wa += (text_is_place_[i] | marks[i]) != 0 ? 0.0 : text_weight_[i];
    std::fill(marks.begin(), marks.begin() + static_cast<std::ptrdiff_t>(n), 0);
    // The other's shingles in order: the shared ones add the text's weight to both sums, as the merge does.
    double wb = 0.0;
    double common = 0.0;
    std::size_t q = 0;
    for (std::size_t j = 0; j < other.size(); ++j) {
        const Shingle s = other[j];
        while (q < other_place.size() && other_place[q] < s) ++q;
        const Entry* e = find(s);
        if ((q < other_place.size() && other_place[q] == s) || (e != nullptr && e->place >= 0)) continue;
        if (e != nullptr && e->text >= 0) {
            const double x = text_weight_[e->text];
            wb += x;
            common += x;
        } else {
            wb += other_weight[j];
        }
    }
    const double total = wa + wb;
    return total > 0.0 ? std::min(1.0, 2.0 * common / total) : 0.0;
}

double QueryShingles::covered(ShingleSpan a, ShingleSpan b, std::vector<char>& marks) const {
    const std::size_t n = text_.size();
    if (marks.size() < n) marks.resize(n, 0);
    mark_text(a, marks);
    mark_text(b, marks);
    double total = 0.0;
    double found = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (text_is_place_[i] != 0) continue;
        const double w = text_weight_[i];
        total += w;
        if (marks[i] != 0) found += w;
    }
    std::fill(marks.begin(), marks.begin() + static_cast<std::ptrdiff_t>(n), 0);
    return total > 0.0 ? std::min(1.0, found / total) : 0.0;
}

double QueryShingles::contained(ShingleSpan part, const double* part_weight) const {
    double total = 0.0;
    double found = 0.0;
    for (std::size_t i = 0; i < part.size(); ++i) {
        const double w = part_weight[i];
        total += w;
        if (find(part[i]) != nullptr) found += w;
    }
    return total > 0.0 ? std::min(1.0, found / total) : 0.0;
}

}  // namespace routing_core
