// Report ids are idempotency keys: a re-sent report is answered with its original decision and changes
// nothing; the same id with other content is rejected.
#include <gtest/gtest.h>

#include "routing_core/engine.hpp"
#include "routing_core/error.hpp"
#include "test_fixtures.hpp"

using namespace routing_core;

namespace {
Engine make_engine() { return Engine(fixtures::small_gazetteer(), fixtures::small_rules(), EngineConfig{}); }

Report report(const std::string& id, const std::string& text, const std::string& address, std::int64_t time) {
    return Report{id, text, address, time, "grid", "", std::nullopt, std::nullopt};
}

constexpr std::int64_t t0 = 1795392000;  // 2026-11-23T00:00:00Z
}  // namespace

TEST(Idempotency, ResentReportReturnsTheOriginalDecisionAndChangesNothing) {
    Engine engine = make_engine();
    const Report r1 = report("r1", "巡查发现七五社区门口夜宵摊占道经营", "鄞州区百丈街道七五社区百丈东路168号", t0);
    const Report r2 = report("r2", "百丈东路一百六十八号有夜宵摊占道经营", "百丈东路一百六十八号", t0 + 600);
    const Decision first = engine.submit(r1);
    const Decision second = engine.submit(r2);
    ASSERT_EQ(second.duplicate_of, first.event_id);
    // The event escalates after the first decisions: the re-sent reports still get the original answers.
    ASSERT_EQ(engine.advance(first.deadline + 1).size(), 1u);
    const EventView before = engine.event(first.event_id);

    const Decision again = engine.submit(r2);
    EXPECT_EQ(again.event_id, first.event_id);
    EXPECT_EQ(again.duplicate_of, first.event_id);
    EXPECT_FALSE(again.is_new);
    EXPECT_EQ(again.level, second.level);
    EXPECT_EQ(again.deadline, second.deadline);
    EXPECT_EQ(again.score, second.score);
    EXPECT_TRUE(again.candidates.empty());  // the receipt keeps no candidates
    const Decision first_again = engine.submit(r1);
    EXPECT_TRUE(first_again.is_new);
    EXPECT_EQ(first_again.event_id, first.event_id);

    const EventView after = engine.event(first.event_id);
    EXPECT_EQ(after.report_ids, before.report_ids);
    EXPECT_EQ(after.history.size(), before.history.size());
    EXPECT_EQ(engine.stats().reports, 2u);
    EXPECT_EQ(engine.stats().events, 1u);
    EXPECT_TRUE(engine.knows_report("r1"));
    EXPECT_FALSE(engine.knows_report("r3"));
}

TEST(Idempotency, SameIdWithOtherContentIsRejectedNamingTheId) {
    Engine engine = make_engine();
    engine.submit(report("r1", "七五社区垃圾桶满溢", "百丈街道七五社区", t0));
    for (const Report& changed : {report("r1", "七五社区垃圾桶满溢了", "百丈街道七五社区", t0),
                                  report("r1", "七五社区垃圾桶满溢", "百丈街道", t0),
                                  report("r1", "七五社区垃圾桶满溢", "百丈街道七五社区", t0 + 1)}) {
        try {
            engine.submit(changed);
            ADD_FAILURE() << "accepted a changed report under a known id";
        } catch (const InvalidInput& e) {
            EXPECT_EQ(e.field(), "id");
            EXPECT_EQ(e.value(), "r1");
        }
    }
    EXPECT_EQ(engine.stats().reports, 1u);
}

TEST(Idempotency, BatchAnswersRepeatsWithTheFirstDecisionAndAppliesOnce) {
    Engine engine = make_engine();
    const Report a = report("a", "七五社区垃圾桶满溢", "百丈街道七五社区", t0);
    const Report b = report("b", "百丈东路186号路灯不亮", "百丈东路186号", t0 + 60);
    const Decision da = engine.submit(a);
    const std::vector<Decision> ds = engine.submit_many({b, a, b});
    ASSERT_EQ(ds.size(), 3u);
    EXPECT_TRUE(ds[0].is_new);
    EXPECT_EQ(ds[1].event_id, da.event_id);
    EXPECT_EQ(ds[2].event_id, ds[0].event_id);
    EXPECT_EQ(ds[2].is_new, ds[0].is_new);
    EXPECT_EQ(engine.stats().reports, 2u);
    EXPECT_EQ(engine.event(ds[0].event_id).report_ids, std::vector<std::string>{"b"});

    // A repeat with other content rejects the whole batch, naming the position.
    const Report c = report("c", "百丈东路200号窨井盖缺失", "百丈东路200号", t0 + 120);
    const Report c_changed = report("c", "百丈东路200号窨井盖破损", "百丈东路200号", t0 + 120);
    try {
        engine.submit_many({c, c_changed});
        ADD_FAILURE() << "accepted a batch with one id for two contents";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "reports[1].id");
    }
    EXPECT_FALSE(engine.knows_report("c"));
    EXPECT_EQ(engine.stats().reports, 2u);
}
