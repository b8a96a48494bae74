#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "routing_core/candidate_index.hpp"
#include "routing_core/geo.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

using namespace routing_core;

namespace {
std::vector<Shingle> sh(const std::string& s) { return shingles(normalise_text(utf8::decode(s))); }
}  // namespace

TEST(Shingles, UnigramsAndBigramsOfWordRuns) {
    // 垃圾满了 → 垃 圾 满 了 + 垃圾 圾满 满了 (7); "ab" → a b ab (3); the comma splits runs,
    // so there is no 了a.
    EXPECT_EQ(sh("垃圾满了,ab").size(), 10u);
    EXPECT_EQ(sh("好").size(), 1u);  // a single character is its own shingle
    EXPECT_EQ(sh("好好").size(), 2u);  // 好 and 好好: duplicates collapse
    EXPECT_TRUE(sh("，。!").empty());
}

TEST(WeightedDice, MatchesTheDefinition) {
    const auto one = [](Shingle) { return 1.0; };
    const auto a = sh("垃圾满了");  // 垃 圾 满 了 垃圾 圾满 满了: 7
    const auto b = sh("垃圾满地");  // 垃 圾 满 地 垃圾 圾满 满地: 7, of which 垃 圾 满 垃圾 圾满 shared
    EXPECT_DOUBLE_EQ(weighted_dice(a, b, one), 2.0 * 5 / (7 + 7));
    EXPECT_DOUBLE_EQ(weighted_dice(a, a, one), 1.0);
    EXPECT_DOUBLE_EQ(weighted_dice({}, {}, one), 0.0);
}

TEST(CandidateIndex, FindsEventsByAddressKeyOrRareShingleWithoutScanningAll) {
    CandidateIndex index;
    Address a;
    a.road = "百丈东路";
    a.number = "168";
    for (std::uint32_t e = 0; e < 1000; ++e) {
        index.count_document();
        Address other;
        other.road = "路" + std::to_string(e);
        index.add_address_keys(e, address_keys(other, KeyUse::index));
        index.add_shingles(e, sh("来电人反映问题" + std::to_string(e)));
    }
    index.count_document();
    index.add_address_keys(1000, address_keys(a, KeyUse::index));
    index.add_shingles(1000, sh("来电人反映窨井盖缺失"));

    LookupLimits limits;
    const auto by_address = index.lookup(address_keys(a, KeyUse::query), {}, limits);
    ASSERT_EQ(by_address.size(), 1u);
    EXPECT_EQ(by_address[0], 1000u);
    // The common shingles (来电, 反映) are skipped for the rare ones (窨井, 井盖).
    const auto by_text = index.lookup({}, sh("巡查发现窨井盖缺失"), limits);
    ASSERT_FALSE(by_text.empty());
    EXPECT_EQ(by_text[0], 1000u);
    EXPECT_LE(by_text.size(), limits.max_candidates);
    EXPECT_GT(index.idf(sh("窨井")[0]), index.idf(sh("来电")[0]));
}

TEST(CandidateIndex, EquallyRareShinglesAreReadInShingleOrder) {
    // Shingles 10 < 20 < 30 < 40 with 5, 4, 4 and 3 postings; two are read. 40 is the rarest, and of
    // the two with 4, 20 (the smaller shingle) is taken: a total order, not the standard library's way
    // with ties (libstdc++'s heap selection keeps 30 here).
    CandidateIndex index;
    const std::vector<std::pair<Shingle, std::vector<std::uint32_t>>> lists{
        {10, {0, 1, 2, 3, 4}}, {20, {5, 6, 7, 8}}, {30, {9, 10, 11, 12}}, {40, {13, 14, 15}}};
    for (std::uint32_t e = 0; e < 16; ++e) index.count_document();
    for (const auto& [shingle, events] : lists) {
        for (std::uint32_t e : events) index.add_shingles(e, {shingle});
    }
    LookupLimits limits;
    limits.rare_shingles = 2;
    std::vector<std::uint32_t> found = index.lookup({}, {10, 20, 30, 40}, limits);
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, (std::vector<std::uint32_t>{5, 6, 7, 8, 13, 14, 15}));
}

TEST(CandidateIndex, ClosedEventsAreRankedApartSoTheyCannotCrowdOutOpenOnes) {
    // 40 closed events at the query's road and number (the strongest key), then 5 open ones that share
    // only the road. Ranked together, the closed ones fill max_candidates = 8 and no open one is found;
    // ranked apart (max_closed = 3), all 5 open ones are found plus the 3 best closed ones.
    CandidateIndex index;
    Address exact;
    exact.road = "百丈东路";
    exact.number = "168";
    Address road_only;
    road_only.road = "百丈东路";
    ChunkedVector<std::uint8_t> closed;
    for (std::uint32_t e = 0; e < 45; ++e) {
        index.count_document();
        index.add_address_keys(e, address_keys(e < 40 ? exact : road_only, KeyUse::index));
        closed.push_back(e < 40 ? 1 : 0);
    }
    LookupLimits limits;
    limits.max_candidates = 8;
    LookupScratch scratch;
    const auto together = index.lookup(address_keys(exact, KeyUse::query), {}, limits, scratch);
    ASSERT_EQ(together.size(), 8u);
    for (std::uint32_t e : together) EXPECT_LT(e, 40u) << "a closed event, ranked first by its exact address";

    limits.max_closed = 3;
    const auto apart =
        index.lookup(address_keys(exact, KeyUse::query), {}, limits, scratch, nullptr, 0, &closed);
    ASSERT_EQ(apart.size(), 8u);  // 5 open + 3 closed
    // In rank order: the three closed ones (exact address, newest first on ties), then the open ones.
    EXPECT_EQ(std::vector<std::uint32_t>(apart.begin(), apart.begin() + 3), (std::vector<std::uint32_t>{39, 38, 37}));
    EXPECT_EQ(std::vector<std::uint32_t>(apart.begin() + 3, apart.end()),
              (std::vector<std::uint32_t>{44, 43, 42, 41, 40}));
}

TEST(Geo, DistanceIsTheGreatCircleInMetres) {
    // One degree of latitude is 2πR/360 of the mean radius: 111,195 m; at 30° north a degree of
    // longitude is that times cos 30° (96,297 m) along the parallel, a hair more along the great circle.
    EXPECT_NEAR(metres_between(29.0, 121.5, 30.0, 121.5), 111194.9, 0.5);
    EXPECT_NEAR(metres_between(30.0, 121.0, 30.0, 122.0), 96297.3, 15.0);
    EXPECT_DOUBLE_EQ(metres_between(29.87, 121.55, 29.87, 121.55), 0.0);
}

TEST(CandidateIndex, FindsEventsByPositionAcrossCellBoundariesButNotFarAway) {
    CandidateIndex index;
    const double row_deg = geo_row_degrees(geo_cell_side_m);
    // A report right below a row boundary near Ningbo, and events 20 m across it (north), 100 m east,
    // 140 m south-west, and 2 km away.
    const double boundary = std::ceil(29.87 / row_deg) * row_deg;
    const double lat = boundary - 5.0 / 111195.0;
    const double lon = 121.55;
    const double east = 1.0 / (111195.0 * std::cos(29.87 * 3.14159265358979323846 / 180.0));
    const std::vector<std::pair<double, double>> events = {
        {lat + 20.0 / 111195.0, lon}, {lat, lon + 100.0 * east}, {lat - 99.0 / 111195.0, lon - 99.0 * east},
        {lat + 2000.0 / 111195.0, lon}};
    for (std::uint32_t e = 0; e < events.size(); ++e) {
        index.count_document();
        Address at;
        at.lat = events[e].first;
        at.lon = events[e].second;
        index.add_address_keys(e, address_keys(at, KeyUse::index));
    }
    Address query;
    query.lat = lat;
    query.lon = lon;
    EXPECT_EQ(address_keys(query, KeyUse::index).size(), 1u);
    EXPECT_EQ(address_keys(query, KeyUse::query).size(), 9u);
    auto found = index.lookup(address_keys(query, KeyUse::query), {}, LookupLimits{});
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, (std::vector<std::uint32_t>{0, 1, 2}));
    // The event 20 m north is filed in the next row: the lookup did cross a boundary.
    EXPECT_EQ(geo_cell(lat, lon, geo_cell_side_m).row + 1,
              geo_cell(events[0].first, lon, geo_cell_side_m).row);
}

TEST(CandidateIndex, SweepingOutDeadEventsLeavesTheIndexOfTheLiveOnesAlone) {
    // The same events filed twice: all of them, then swept a few lists at a time with the odd ones
    // dead; and only the even ones (the same documents counted). Both must find alike and weigh alike.
    const auto file = [](CandidateIndex& index, std::uint32_t e) {
        Address address;
        address.road = "路" + std::to_string(e % 37);
        address.number = std::to_string(e % 22);  // odd numbers: odd events only
        index.add_address_keys(e, address_keys(address, KeyUse::index));
        // 单 (odd) and 双 (even): shingles of one kind of event only.
        index.add_shingles(e, sh("来电反映" + std::to_string(e % 53) + (e % 2 ? "单" : "双") + "号窨井盖" +
                                 std::to_string(e)));
    };
    CandidateIndex swept;
    CandidateIndex live;
    for (std::uint32_t e = 0; e < 2000; ++e) {
        swept.count_document();
        live.count_document();
        file(swept, e);
        if (e % 2 == 0) file(live, e);
    }
    const auto dead = [](std::uint32_t e) { return e % 2 == 1; };
    using Postings = CandidateIndex::Postings;
    for (Postings kind : {Postings::address, Postings::text}) {
        const std::size_t before = swept.lists(kind);
        // A few postings at a time: the lists every event is on (来, 电, 来电...) are swept in pieces.
        CandidateIndex::SweepPosition at{0, 0, swept.lists(kind)};
        constexpr std::size_t budget = CandidateIndex::list_cost + 7;
        while (at.list < at.end) {
            EXPECT_LE(swept.sweep(kind, at, budget, dead), budget + CandidateIndex::list_cost);
        }
        EXPECT_EQ(at.end, swept.lists(kind));
        EXPECT_EQ(swept.entries(kind), live.entries(kind));
        EXPECT_EQ(swept.lists(kind), live.lists(kind));  // the lists only odd events had are gone
        EXPECT_LT(swept.lists(kind), before);
    }
    LookupLimits limits;
    limits.postings_per_key = 1000;
    limits.max_candidates = 1000;
    for (std::uint32_t e = 0; e < 200; ++e) {
        Address query;
        query.road = "路" + std::to_string(e % 37);
        query.number = std::to_string(e % 22);
        const auto text = sh("巡查发现" + std::to_string(e % 53) + (e % 3 ? "单" : "双") + "号井盖" + std::to_string(e));
        EXPECT_EQ(swept.lookup(address_keys(query, KeyUse::query), text, limits),
                  live.lookup(address_keys(query, KeyUse::query), text, limits));
        for (Shingle s : text) {
            EXPECT_EQ(swept.postings(s), live.postings(s));
            EXPECT_EQ(swept.idf(s), live.idf(s));
        }
    }
}

TEST(CandidateIndex, KeepsWeightsWhenItsScratchGrowsMidLookup) {
    // The scratch's weights by event grow when a posting names an event past their end. The address
    // lists are read first and find only event 0; the text list then finds event 1000 and the weights
    // grow in the middle of the lookup: event 0 keeps its address weight and ranks first (the text
    // alone ties, and ties go to the newer event).
    CandidateIndex index;
    Address a;
    a.road = "百丈东路";
    a.number = "168";
    const std::vector<Shingle> text = sh("垃圾满溢");
    for (std::uint32_t e = 0; e <= 1000; ++e) index.count_document();
    index.add_address_keys(0, address_keys(a, KeyUse::index));
    index.add_shingles(0, text);
    index.add_shingles(1000, text);
    LookupLimits limits;
    limits.max_candidates = 1;
    LookupScratch fresh;
    EXPECT_EQ(index.lookup(address_keys(a, KeyUse::query), text, limits, fresh),
              (std::vector<std::uint32_t>{0}));
    limits.max_candidates = 2;
    LookupScratch again;
    // Text only: a tie, and the newer event first.
    EXPECT_EQ(index.lookup({}, text, limits, again), (std::vector<std::uint32_t>{1000, 0}));
}

TEST(IdfMemo, WeighsAsTheIndexDoesToTheBitAndForgetsOnReset) {
    CandidateIndex index;
    std::vector<Shingle> all;  // 3,000 shingles, more than the memo holds at first (it grows)
    for (Shingle s = 1; s <= 3000; ++s) all.push_back(s * 0x10001);
    for (std::uint32_t event = 0; event < 40; ++event) {  // document frequencies from 0 to 40
        std::vector<Shingle> some;
        for (std::size_t i = 0; i < all.size(); i += event % 7 + 1) {
            some.push_back(all[i] + (i % 40 < event ? 0 : 1));
        }
        std::sort(some.begin(), some.end());
        some.erase(std::unique(some.begin(), some.end()), some.end());
        index.add_shingles(event, some);
        index.count_document();
    }
    const auto expect_index_weights = [&](IdfMemo& memo, const std::vector<Shingle>& set) {
        const double* w = memo.weigh(set);
        for (std::size_t i = 0; i < set.size(); ++i) ASSERT_EQ(w[i], index.idf(set[i])) << i;
    };
    IdfMemo memo;
    memo.reset(index);
    const std::vector<Shingle> first(all.begin(), all.begin() + 50);
    const std::vector<Shingle> overlapping(all.begin() + 25, all.begin() + 90);  // half memoised
    expect_index_weights(memo, first);
    expect_index_weights(memo, overlapping);
    expect_index_weights(memo, all);  // grows the table with 90 weights in it
    expect_index_weights(memo, first);
    // Within a report the weights stay as read; the next report reads the index anew.
    index.add_shingles(40, first);
    index.count_document();
    EXPECT_NE(memo.weigh(first)[0], index.idf(first[0]));
    memo.reset(index);
    expect_index_weights(memo, first);
    expect_index_weights(memo, all);
}
