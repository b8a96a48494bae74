// Engine snapshots: save → load gives an engine that decides exactly as one that never stopped; a
// truncated, corrupt or foreign snapshot is refused and leaves the engine empty.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "routing_core/engine.hpp"
#include "routing_core/error.hpp"
#include "test_fixtures.hpp"

using namespace routing_core;

namespace {
Engine make_engine(EngineConfig config = {}) {
    return Engine(fixtures::small_gazetteer(), fixtures::small_rules(), std::move(config));
}

constexpr std::int64_t t0 = 1795392000;  // 2026-11-23T00:00:00Z

// A stream that merges, opens, reviews and recurs: a few places and problems, repeated over days.
std::vector<Report> stream(const std::string& prefix, std::int64_t start, int count) {
    const char* texts[] = {"巡查发现门口夜宵摊占道经营", "来电人反映有夜宵摊占道经营", "门口垃圾桶满溢无人清运",
                           "楼下垃圾满溢发臭", "路灯不亮晚上很黑", "井盖缺失有安全隐患"};
    const char* addresses[] = {"鄞州区百丈街道七五社区百丈东路168号", "百丈东路一百六十八号", "百丈东路186号",
                               "鄞州区百丈街道七五社区", "百丈东路", ""};
    const char* sources[] = {"grid", "hotline", "app"};
    std::vector<Report> out;
    for (int i = 0; i < count; ++i) {
        out.push_back(Report{prefix + std::to_string(i), texts[(i * 7) % 6], addresses[(i * 5) % 6],
                             start + i * 1800, sources[i % 3], "", std::nullopt, std::nullopt});
    }
    return out;
}

void expect_same_decision(const Decision& a, const Decision& b) {
    EXPECT_EQ(a.report_id, b.report_id);
    EXPECT_EQ(a.event_id, b.event_id);
    EXPECT_EQ(a.is_new, b.is_new);
    EXPECT_EQ(a.duplicate_of, b.duplicate_of);
    EXPECT_EQ(a.recurrence_of, b.recurrence_of);
    EXPECT_EQ(a.needs_review, b.needs_review);
    EXPECT_EQ(a.review_event, b.review_event);
    EXPECT_EQ(a.score, b.score);
    EXPECT_EQ(a.category, b.category);
    EXPECT_EQ(a.platform, b.platform);
    EXPECT_EQ(a.co_platforms, b.co_platforms);
    EXPECT_EQ(a.level, b.level);
    EXPECT_EQ(a.unit_code, b.unit_code);
    EXPECT_EQ(a.deadline, b.deadline);
    EXPECT_EQ(a.rules_fired, b.rules_fired);
    ASSERT_EQ(a.candidates.size(), b.candidates.size());
    for (std::size_t i = 0; i < a.candidates.size(); ++i) {
        EXPECT_EQ(a.candidates[i].event_id, b.candidates[i].event_id);
        EXPECT_EQ(a.candidates[i].score, b.candidates[i].score);
    }
}

void expect_same_event(const EventView& a, const EventView& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.report_ids, b.report_ids);
    EXPECT_EQ(a.sources, b.sources);
    EXPECT_EQ(a.open, b.open);
    EXPECT_EQ(a.category, b.category);
    EXPECT_EQ(a.platform, b.platform);
    EXPECT_EQ(a.level, b.level);
    EXPECT_EQ(a.unit_code, b.unit_code);
    EXPECT_EQ(a.deadline, b.deadline);
    EXPECT_EQ(a.closed, b.closed);
    EXPECT_EQ(a.resolution, b.resolution);
    EXPECT_EQ(a.recurrence_of, b.recurrence_of);
    ASSERT_EQ(a.history.size(), b.history.size());
    for (std::size_t i = 0; i < a.history.size(); ++i) {
        EXPECT_EQ(a.history[i].kind, b.history[i].kind);
        EXPECT_EQ(a.history[i].time, b.history[i].time);
        EXPECT_EQ(a.history[i].level, b.history[i].level);
        EXPECT_EQ(a.history[i].unit_code, b.history[i].unit_code);
        EXPECT_EQ(a.history[i].rule, b.history[i].rule);
        EXPECT_EQ(a.history[i].report_id, b.history[i].report_id);
    }
    EXPECT_EQ(a.sources, b.sources);
}

std::string temp_path(const std::string& name) {
    return ::testing::TempDir() + "routing_core_" + name + ".snap";
}

std::vector<char> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::vector<char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// An engine with state of every kind: merged and new events, a closed one, escalations.
void make_busy(Engine& engine) {
    const auto first = engine.submit_many(stream("a", t0, 24));
    engine.close(first[0].event_id, t0 + 24 * 1800, "已处置");
    engine.advance(t0 + 60 * 3600);
    engine.submit_many(stream("b", t0 + 61 * 3600, 12));
}
}  // namespace

TEST(EngineSnapshot, RestoredEngineDecidesAsTheOneThatNeverStopped) {
    Engine running = make_engine();
    make_busy(running);
    const std::string path = temp_path("round_trip");
    running.save_snapshot(path);
    Engine restored = make_engine();
    restored.load_snapshot(path);

    const EngineStats a = running.stats();
    const EngineStats b = restored.stats();
    EXPECT_EQ(a.events, b.events);
    EXPECT_EQ(a.open_events, b.open_events);
    EXPECT_EQ(a.reports, b.reports);

    // The same continuation, applied to both: new reports, escalations, closes, re-sent reports.
    const auto next = stream("c", t0 + 70 * 3600, 18);
    for (const Report& r : next) expect_same_decision(running.submit(r), restored.submit(r));
    const auto up_a = running.advance(t0 + 200 * 3600);
    const auto up_b = restored.advance(t0 + 200 * 3600);
    ASSERT_EQ(up_a.size(), up_b.size());
    EXPECT_FALSE(up_a.empty());
    for (std::size_t i = 0; i < up_a.size(); ++i) {
        EXPECT_EQ(up_a[i].event_id, up_b[i].event_id);  // equal deadlines escalate in the same order
        EXPECT_EQ(up_a[i].to_level, up_b[i].to_level);
        EXPECT_EQ(up_a[i].deadline, up_b[i].deadline);
    }
    const Report resent = stream("a", t0, 3)[2];
    expect_same_decision(running.submit(resent), restored.submit(resent));
    for (std::size_t e = 1; e <= running.stats().events; ++e) {
        std::string id = std::to_string(e);
        id = "E" + std::string(8 - id.size(), '0') + id;
        expect_same_event(running.event(id), restored.event(id));
    }
    std::remove(path.c_str());
}

TEST(EngineSnapshot, LoadsOnlyIntoAnEngineThatAcceptedNothing) {
    Engine running = make_engine();
    make_busy(running);
    const std::string path = temp_path("not_empty");
    running.save_snapshot(path);
    Engine other = make_engine();
    other.submit(stream("z", t0, 1)[0]);
    try {
        other.load_snapshot(path);
        FAIL() << "loaded into a non-empty engine";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("already accepted"), std::string::npos) << e.what();
    }
    EXPECT_EQ(other.stats().reports, 1u);
    std::remove(path.c_str());
}

TEST(EngineSnapshot, TruncatedOrCorruptFilesAreRefusedAndLeaveTheEngineEmpty) {
    Engine running = make_engine();
    make_busy(running);
    const std::string path = temp_path("corrupt");
    running.save_snapshot(path);
    const std::vector<char> good = read_file(path);
    ASSERT_GT(good.size(), 1000u);
    const std::string bad_path = temp_path("corrupt_copy");

    std::vector<std::vector<char>> bad;
    for (std::size_t cut : {std::size_t{0}, std::size_t{5}, std::size_t{40}, good.size() / 2, good.size() - 9,
                            good.size() - 1}) {
        bad.emplace_back(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
    }
    for (std::size_t at : {std::size_t{2}, std::size_t{9}, good.size() / 3, good.size() / 2, good.size() - 20,
                           good.size() - 3}) {
        std::vector<char> flipped = good;
        flipped[at] = static_cast<char>(flipped[at] ^ 0x10);
        bad.push_back(std::move(flipped));
    }
    std::vector<char> longer = good;
    longer.insert(longer.end() - 8, 'x');
    bad.push_back(std::move(longer));
    // Many more, anywhere: every one is refused cleanly (the ASan/UBSan build checks "cleanly").
    std::uint64_t seed = 88172645463325252ull;
    const auto next = [&seed](std::size_t bound) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        return static_cast<std::size_t>(seed % bound);
    };
    for (int i = 0; i < 150; ++i) {
        bad.emplace_back(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(next(good.size())));
        std::vector<char> flipped = good;
        const std::size_t at = next(good.size());
        flipped[at] = static_cast<char>(flipped[at] ^ (1 + next(255)));
        bad.push_back(std::move(flipped));
    }

    Engine target = make_engine();
    for (std::size_t i = 0; i < bad.size(); ++i) {
        write_file(bad_path, bad[i]);
        EXPECT_THROW(target.load_snapshot(bad_path), Error) << "case " << i;
        EXPECT_EQ(target.stats().reports, 0u) << "case " << i;
        EXPECT_EQ(target.stats().events, 0u) << "case " << i;
    }
    EXPECT_THROW(target.load_snapshot(temp_path("does_not_exist")), Error);
    target.load_snapshot(path);  // the refusals left it empty: the good file still loads
    EXPECT_EQ(target.stats().reports, running.stats().reports);
    std::remove(path.c_str());
    std::remove(bad_path.c_str());
}

#ifdef __linux__
namespace {
std::size_t open_descriptors() {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        (void)entry;
        ++n;
    }
    return n;
}
}  // namespace

// Found by fuzz_snapshot (it ran out of file descriptors after ~58,000 damaged files): a file refused
// while it was being opened (shorter than its checksum) kept its descriptor, since the reader's
// destructor does not run when its constructor throws. Every refusal must close the file.
TEST(EngineSnapshot, RefusedFilesLeaveNoDescriptorOpen) {
    Engine running = make_engine();
    make_busy(running);
    const std::string path = temp_path("descriptors");
    running.save_snapshot(path);
    const std::vector<char> good = read_file(path);
    const std::string bad_path = temp_path("descriptors_bad");
    Engine target = make_engine();
    const std::size_t before = open_descriptors();
    for (std::size_t cut : {std::size_t{0}, std::size_t{3}, std::size_t{7}, std::size_t{8}, std::size_t{100},
                            good.size() - 1}) {
        for (int i = 0; i < 20; ++i) {
            write_file(bad_path, std::vector<char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut)));
            EXPECT_THROW(target.load_snapshot(bad_path), Error) << "cut at " << cut;
        }
    }
    EXPECT_EQ(open_descriptors(), before);
    std::remove(path.c_str());
    std::remove(bad_path.c_str());
}
#endif

TEST(EngineSnapshot, SnapshotOfAnotherConfigurationIsRefused) {
    Engine running = make_engine();
    make_busy(running);
    const std::string path = temp_path("config");
    running.save_snapshot(path);
    EngineConfig other;
    other.match.duplicate_threshold = 0.61;
    Engine target = make_engine(other);
    try {
        target.load_snapshot(path);
        FAIL() << "loaded a snapshot of another configuration";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("another configuration"), std::string::npos) << e.what();
    }
    EXPECT_EQ(target.stats().events, 0u);
    std::remove(path.c_str());
}

TEST(EngineSnapshot, WritesAtomicallyAndReplacesTheOldFile) {
    Engine running = make_engine();
    make_busy(running);
    const std::string path = temp_path("atomic");
    running.save_snapshot(path);
    const auto first = read_file(path);
    running.submit_many(stream("d", t0 + 80 * 3600, 4));
    running.save_snapshot(path);
    EXPECT_NE(read_file(path), first);
    EXPECT_FALSE(std::ifstream(path + ".tmp").good());  // no temporary left behind
    // A directory that does not exist: a clear error, nothing written.
    EXPECT_THROW(running.save_snapshot(::testing::TempDir() + "no/such/dir/x.snap"), Error);
    Engine restored = make_engine();
    restored.load_snapshot(path);
    EXPECT_EQ(restored.stats().reports, running.stats().reports);
    std::remove(path.c_str());
}
