#include <gtest/gtest.h>

#include "routing_core/engine.hpp"
#include "routing_core/error.hpp"
#include "test_fixtures.hpp"

using namespace routing_core;

namespace {
Engine make_engine() { return Engine(fixtures::small_gazetteer(), fixtures::small_rules(), EngineConfig{}); }

Report report(const std::string& id, const std::string& text, const std::string& address, std::int64_t time,
              const std::string& source = "grid") {
    return Report{id, text, address, time, source, "", std::nullopt, std::nullopt};
}

constexpr std::int64_t t0 = 1795392000;  // 2026-11-23T00:00:00Z
}  // namespace

TEST(Engine, RefusesMoreSourcesThanItCanIndex) {
    EngineConfig config;
    config.sources.clear();
    for (int i = 0; i < 256; ++i) config.sources.push_back("channel" + std::to_string(i));
    EXPECT_THROW(Engine(fixtures::small_gazetteer(), fixtures::small_rules(), config), ConfigError);
    config.sources.pop_back();  // 255 is the most
    Engine engine(fixtures::small_gazetteer(), fixtures::small_rules(), config);
    const Report r = report("r1", "百丈东路168号垃圾桶满了", "百丈东路168号", 1763000000, "channel254");
    EXPECT_EQ(engine.event(engine.submit(r).event_id).sources, std::vector<std::string>{"channel254"});
}

TEST(Engine, FusesTwoReportsOfOneIncident) {
    Engine engine = make_engine();
    const Decision first = engine.submit(report("r1", "巡查发现七五社区门口夜宵摊占道经营", "鄞州区百丈街道七五社区百丈东路168号", t0));
    EXPECT_TRUE(first.is_new);
    EXPECT_EQ(first.category, "street_vending");
    EXPECT_EQ(first.platform, "enforcement");
    EXPECT_EQ(first.co_platforms, std::vector<std::string>{"market"});
    EXPECT_EQ(first.level, Level::town);
    EXPECT_EQ(first.unit_code, "330212010");
    EXPECT_EQ(first.unit_name, "鄞州区百丈街道");
    EXPECT_EQ(first.deadline, t0 + 48 * 3600);

    const Decision second = engine.submit(report("r2", "来电人反映百丈东路一百六十八号有夜宵摊占道经营", "百丈东路一百六十八号", t0 + 600, "hotline"));
    EXPECT_FALSE(second.is_new);
    EXPECT_EQ(second.event_id, first.event_id);
    EXPECT_EQ(second.duplicate_of, first.event_id);
    ASSERT_FALSE(second.candidates.empty());
    EXPECT_EQ(second.candidates[0].address, 1.0);

    const EventView ev = engine.event(first.event_id);
    EXPECT_EQ(ev.report_ids, (std::vector<std::string>{"r1", "r2"}));
    EXPECT_EQ(ev.sources, (std::vector<std::string>{"grid", "hotline"}));
}

TEST(Engine, KeepsNeighbouringNumbersApart) {
    Engine engine = make_engine();
    const Decision a = engine.submit(report("a", "百丈东路168号门口垃圾桶满溢", "百丈东路168号", t0));
    const Decision b = engine.submit(report("b", "百丈东路186号门口垃圾桶满溢", "百丈东路186号", t0 + 60));
    EXPECT_TRUE(b.is_new);
    EXPECT_NE(a.event_id, b.event_id);
}

TEST(Engine, RejectsBadInputWithoutChangingState) {
    Engine engine = make_engine();
    EXPECT_THROW(engine.submit(report("", "垃圾", "", t0)), InvalidInput);
    EXPECT_THROW(engine.submit(report("x", "   ", "", t0)), InvalidInput);
    EXPECT_THROW(engine.submit(report("x", std::string("垃\xff", 4), "", t0)), InvalidInput);
    EXPECT_THROW(engine.submit(report("x", "垃圾", "", t0, "fax")), InvalidInput);
    EXPECT_THROW(engine.submit(report("x", std::string(70000, 'a'), "", t0)), InvalidInput);
    EXPECT_THROW(engine.submit(report("x", "垃圾", "", -5)), InvalidInput);
    try {
        engine.submit(report("x", "垃圾", "", t0, "fax"));
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "source");
        EXPECT_EQ(e.value(), "fax");
    }
    // A batch with one bad report applies nothing.
    EXPECT_THROW(engine.submit_many({report("ok", "垃圾", "", t0), report("bad", "", "", t0)}), InvalidInput);
    EXPECT_EQ(engine.stats().reports, 0u);
    EXPECT_NO_THROW(engine.submit(report("ok", "垃圾", "", t0)));
    EXPECT_THROW(engine.submit(report("ok", "垃圾桶", "", t0)), InvalidInput);  // same id, other content
    EXPECT_EQ(engine.stats().reports, 1u);
}

TEST(Engine, OverdueEventsEscalateOneLevelAtATimeUpToTheCity) {
    Engine engine = make_engine();
    const Decision d = engine.submit(report("r", "七五社区垃圾桶满溢", "百丈街道七五社区", t0));
    EXPECT_EQ(d.level, Level::community);
    EXPECT_TRUE(engine.advance(d.deadline - 1).empty());
    auto up = engine.advance(d.deadline + 1);
    ASSERT_EQ(up.size(), 1u);
    EXPECT_EQ(up[0].to_level, Level::town);
    EXPECT_EQ(up[0].unit_code, "330212010");
    EXPECT_EQ(up[0].deadline, d.deadline + 1 + 72 * 3600);
    std::int64_t now = up[0].deadline + 1;
    std::vector<Level> seen{Level::town};
    for (int i = 0; i < 10; ++i) {
        auto step = engine.advance(now);
        if (step.empty()) break;
        seen.push_back(step[0].to_level);
        now = step[0].deadline + 1;
    }
    EXPECT_EQ(seen, (std::vector<Level>{Level::town, Level::county, Level::city}));
    EXPECT_EQ(engine.event(d.event_id).unit_code, "330200");
}

TEST(Engine, EventsOverdueAtOneDeadlineEscalateInTheOrderTheyOpened) {
    // Five incidents at five addresses, reported at one moment: one level, one deadline. They come out
    // of advance() in the order they opened, not in the standard library's order of equal heap keys
    // (libstdc++ pops five equal keys pushed in order as 0 2 4 1 3).
    Engine engine = make_engine();
    std::vector<std::string> opened;
    std::int64_t deadline = 0;
    for (int i = 0; i < 5; ++i) {
        const std::string number = std::to_string(100 + 20 * i);
        const std::string road = "百丈东路" + number + "号";
        const Decision d = engine.submit(report("r" + std::to_string(i), road + "垃圾桶满溢", "百丈街道七五社区" + road, t0));
        ASSERT_TRUE(d.is_new) << i;
        if (i == 0) deadline = d.deadline;
        ASSERT_EQ(d.deadline, deadline) << i;
        opened.push_back(d.event_id);
    }
    std::vector<std::string> escalated;
    for (const Escalation& e : engine.advance(deadline + 1)) escalated.push_back(e.event_id);
    EXPECT_EQ(escalated, opened);
}

TEST(Engine, ClosedEventsRecurRatherThanAbsorbReports) {
    Engine engine = make_engine();
    const Decision d = engine.submit(report("r1", "七五社区门口垃圾桶满溢无人清运", "百丈街道七五社区百丈东路168号", t0));
    engine.close(d.event_id, t0 + 3600, "已清运");
    EXPECT_THROW(engine.close(d.event_id, t0 + 7200, ""), InvalidInput);
    EXPECT_THROW(engine.close("E99999999", t0, ""), UnknownEvent);
    const Decision again = engine.submit(report("r2", "七五社区门口垃圾桶又满溢了无人清运", "百丈东路168号", t0 + 86400));
    EXPECT_TRUE(again.is_new);
    EXPECT_EQ(again.recurrence_of, d.event_id);
    EXPECT_EQ(engine.event(again.event_id).recurrence_of, d.event_id);
}

TEST(Engine, CloseManyChecksEveryRowFirstOrPassesOverTheBadOnes) {
    Engine engine = make_engine();
    const Decision a = engine.submit(report("r1", "七五社区门口垃圾桶满溢无人清运", "百丈街道七五社区百丈东路168号", t0));
    const Decision b = engine.submit(report("r2", "中山西路72号饭店油烟直排扰民", "海曙区中山西路72号", t0 + 60));
    ASSERT_NE(a.event_id, b.event_id);
    const std::size_t open = engine.stats().open_events;
    // A bad row (here the same event twice) rejects the batch, naming the row; nothing is closed.
    try {
        engine.close_many({a.event_id, b.event_id, a.event_id}, {t0 + 3600, t0 + 3600, t0 + 3600}, {"已处置"}, false);
        FAIL() << "expected InvalidInput";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "event_ids[2]");
    }
    EXPECT_THROW(engine.close_many({a.event_id, "E99999999"}, {t0 + 3600, t0 + 3600}, {"已处置"}, false), UnknownEvent);
    EXPECT_THROW(engine.close_many({a.event_id}, {t0 + 3600, t0}, {"已处置"}, false), InvalidInput);  // 2 times
    EXPECT_EQ(engine.stats().open_events, open);
    EXPECT_TRUE(engine.event(a.event_id).open);
    // Passing over the bad rows closes the rest, each with its own resolution and time.
    const std::vector<Closing> done = engine.close_many({a.event_id, "E99999999", b.event_id, a.event_id},
                                                        {t0 + 3600, t0, t0 + 7200, t0 + 3600},
                                                        {"已清运", "", "已劝离", ""}, true);
    ASSERT_EQ(done.size(), 4u);
    EXPECT_TRUE(done[0].closed && done[2].closed);
    EXPECT_FALSE(done[1].closed || done[3].closed);
    EXPECT_EQ(done[0].unit_code, engine.event(a.event_id).unit_code);
    EXPECT_EQ(engine.stats().open_events, open - 2);
    EXPECT_EQ(engine.event(a.event_id).resolution, "已清运");
    EXPECT_EQ(engine.event(b.event_id).closed, t0 + 7200);
}

TEST(Engine, SeverityRaisesTheLevel) {
    Engine engine = make_engine();
    const Decision d = engine.submit(report("r", "七五社区垃圾堆起火了", "百丈街道七五社区", t0));
    EXPECT_EQ(d.level, Level::county);
    EXPECT_EQ(d.unit_code, "330212");
    EXPECT_EQ(d.deadline, t0 + 2 * 3600);
}
