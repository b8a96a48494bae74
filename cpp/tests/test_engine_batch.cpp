// The batch path with worker threads: the same decisions as one thread (preparing overlaps matching,
// matching stays in report order), a rejected batch changes nothing, and submit_compact agrees with
// submit_many. Run under ASan/UBSan in CI, which also checks the workers' hand-over for races it can see.
#include <gtest/gtest.h>

#include <algorithm>

#include "routing_core/engine.hpp"
#include "routing_core/error.hpp"
#include "test_fixtures.hpp"

using namespace routing_core;

namespace {

Engine make_engine(std::size_t threads) {
    EngineConfig config;
    config.threads = threads;
    return Engine(fixtures::small_gazetteer(), fixtures::small_rules(), config);
}

constexpr std::int64_t t0 = 1795392000;  // 2026-11-23T00:00:00Z

// 400 reports over a few places and problems, with repeats, so that events merge and are recalled.
std::vector<Report> stream() {
    const char* texts[] = {"巡查发现门口夜宵摊占道经营", "来电人反映垃圾桶满溢没人清运", "路灯不亮晚上很黑",
                           "窨井盖缺失有安全隐患"};
    const char* addresses[] = {"鄞州区百丈街道七五社区百丈东路168号", "百丈东路一百六十八号", "百丈东路186号",
                               "鄞州区百丈街道"};
    std::vector<Report> out;
    for (int i = 0; i < 400; ++i) {
        out.push_back(Report{"r" + std::to_string(i), texts[(i * 7) % 4], addresses[(i * 5) % 4], t0 + i * 600,
                             i % 3 == 0 ? "hotline" : "grid", "", std::nullopt, std::nullopt});
    }
    return out;
}

std::vector<std::string> summary(const std::vector<Decision>& ds) {
    std::vector<std::string> out;
    for (const Decision& d : ds) {
        out.push_back(d.report_id + " " + d.event_id + " " + d.duplicate_of + " " + d.category + " " + d.unit_code +
                      " " + std::to_string(d.deadline) + " " + std::to_string(d.score));
    }
    return out;
}

}  // namespace

TEST(EngineBatch, WorkerThreadsDoNotChangeDecisions) {
    const std::vector<Report> reports = stream();
    Engine one = make_engine(1);
    const auto expected = summary(one.submit_many(reports));
    for (std::size_t threads : {2u, 3u, 8u}) {
        Engine many = make_engine(threads);
        EXPECT_EQ(summary(many.submit_many(reports)), expected) << threads << " threads";
    }
    Engine compact = make_engine(2);
    const std::vector<CompactDecision> cds = compact.submit_compact(reports);
    ASSERT_EQ(cds.size(), expected.size());
    const std::vector<Decision> again = one.submit_many(reports);  // answered from receipts
    for (std::size_t i = 0; i < cds.size(); ++i) {
        EXPECT_EQ(compact.event_id(cds[i].event), again[i].event_id);
        EXPECT_EQ(cds[i].is_new, again[i].is_new);
        EXPECT_EQ(cds[i].deadline, again[i].deadline);
    }
}

TEST(EngineBatch, ABatchWithoutExplanationsDecidesAsAnExplainedOne) {
    const std::vector<Report> reports = stream();
    Engine explained = make_engine(1);
    const std::vector<Decision> full = explained.submit_many(reports);
    for (std::size_t threads : {1u, 2u}) {
        Engine lean = make_engine(threads);
        const std::vector<Decision> ds = lean.submit_many(reports, false);
        EXPECT_EQ(summary(ds), summary(full)) << threads << " threads";
        std::size_t merged = 0;
        for (const Decision& d : ds) {
            EXPECT_TRUE(d.candidates.empty() && d.evidence.empty() && d.rules_fired.empty()) << d.report_id;
            EXPECT_TRUE(d.address.normalised.empty()) << d.report_id;
            merged += d.is_new ? 0 : 1;
        }
        EXPECT_GT(merged, 0u);  // the stream repeats itself: some reports join an event
    }
    // An explained batch explains: the lean form above is not an explanation lost on the way.
    EXPECT_TRUE(std::any_of(full.begin(), full.end(), [](const Decision& d) { return !d.candidates.empty(); }));
}

TEST(EngineBatch, ARejectedBatchChangesNothingWhateverTheThreads) {
    std::vector<Report> reports = stream();
    reports[317].time = -5;
    reports[350].text = "  ";
    for (std::size_t threads : {1u, 2u}) {
        Engine engine = make_engine(threads);
        try {
            engine.submit_many(reports);
            FAIL() << "accepted a bad batch";
        } catch (const InvalidInput& e) {
            EXPECT_EQ(e.field(), "reports[317].time");  // the first bad report, in order
        }
        EXPECT_EQ(engine.stats().reports, 0u);
        EXPECT_EQ(engine.stats().events, 0u);
    }
}
