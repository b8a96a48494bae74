#include "routing_core/event_shingles.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <vector>

using namespace routing_core;

namespace {

std::vector<Shingle> of(ShingleSpan s) { return {s.begin(), s.end()}; }

// Shingles first..first+count-1 step `step`: sorted, and overlapping between reports as chosen.
std::vector<Shingle> run(Shingle first, std::size_t count, Shingle step = 1) {
    std::vector<Shingle> out;
    for (std::size_t i = 0; i < count; ++i) out.push_back(first + i * step);
    return out;
}

}  // namespace

TEST(EventShingles, TheFirstReportHasNoVocabulary) {
    const std::vector<Shingle> text = run(10, 5);
    const std::vector<Shingle> place = run(100, 3);
    const EventShingles said(text, place);
    EXPECT_EQ(said.texts(), 1u);
    EXPECT_EQ(of(said.text(0)), text);
    EXPECT_EQ(of(said.place(0)), place);
    EXPECT_TRUE(said.vocabulary().empty());
    EXPECT_EQ(said.heap_bytes(), 8 * sizeof(Shingle));
    EXPECT_EQ(EventShingles().texts(), 0u);
    EXPECT_TRUE(EventShingles().vocabulary().empty());
}

TEST(EventShingles, KeepsTheFirstTextAndTheLatestOnes) {
    std::vector<std::vector<Shingle>> texts;
    std::vector<std::vector<Shingle>> places;
    for (Shingle r = 0; r < 7; ++r) {
        texts.push_back(run(r * 3, 4));  // each shares a shingle with the next
        places.push_back(run(1000 + r, 2, 10));
    }
    EventShingles said(texts[0], places[0]);
    std::set<Shingle> all(texts[0].begin(), texts[0].end());
    all.insert(places[0].begin(), places[0].end());
    for (std::size_t r = 1; r < texts.size(); ++r) {
        said.add(texts[r], places[r], 1024);
        all.insert(texts[r].begin(), texts[r].end());
        all.insert(places[r].begin(), places[r].end());
        EXPECT_EQ(said.texts(), std::min<std::size_t>(r + 1, EventShingles::max_texts));
        const std::vector<Shingle> expected(all.begin(), all.end());
        EXPECT_EQ(of(said.vocabulary()), expected) << "after report " << r;
        // The first three stay; the fourth slot holds the latest.
        const std::size_t last = said.texts() - 1;
        EXPECT_EQ(of(said.text(last)), texts[r]);
        EXPECT_EQ(of(said.place(last)), places[r]);
        for (std::size_t k = 0; k < last; ++k) {
            EXPECT_EQ(of(said.text(k)), texts[k]);
            EXPECT_EQ(of(said.place(k)), places[k]);
        }
    }
    std::size_t stored = all.size();
    for (std::size_t k = 0; k < said.texts(); ++k) stored += said.text(k).size() + said.place(k).size();
    EXPECT_EQ(said.heap_bytes(), stored * sizeof(Shingle));
}

TEST(EventShingles, TheVocabularyStopsGrowingAtItsLimit) {
    EventShingles said(run(0, 6), run(50, 2));
    said.add(run(100, 6), {}, 10);  // 8 + 6 = 14 shingles: from 0 it was below the limit, so all go in
    EXPECT_EQ(said.vocabulary().size(), 14u);
    said.add(run(200, 6), {}, 10);  // at or over the limit: left as it is
    EXPECT_EQ(said.vocabulary().size(), 14u);
    EXPECT_EQ(of(said.text(2)), run(200, 6));  // the text is kept all the same
}

TEST(EventShingles, RefusesWhatNoEngineWrites) {
    const std::vector<Shingle> a = run(1, 3);
    EXPECT_THROW(EventShingles({a, a}, {a}, {}), std::invalid_argument);
    EXPECT_THROW(EventShingles({}, {}, a), std::invalid_argument);
    const std::vector<std::vector<Shingle>> five(EventShingles::max_texts + 1, a);
    EXPECT_THROW(EventShingles(five, five, a), std::invalid_argument);
    const std::vector<Shingle> unsorted{3, 1, 2};
    EXPECT_THROW(EventShingles({unsorted}, {a}, {}), std::invalid_argument);
    EXPECT_THROW(EventShingles({a}, {unsorted}, {}), std::invalid_argument);
    EXPECT_THROW(EventShingles({a}, {a}, unsorted), std::invalid_argument);
    const EventShingles stored({a, run(7, 2)}, {run(20, 1), {}}, run(1, 9));
    EXPECT_EQ(stored.texts(), 2u);
    EXPECT_EQ(of(stored.text(1)), run(7, 2));
    EXPECT_TRUE(stored.place(1).empty());
    EXPECT_EQ(of(stored.vocabulary()), run(1, 9));
}
