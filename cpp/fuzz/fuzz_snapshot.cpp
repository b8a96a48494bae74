// libFuzzer target for Engine::load_snapshot: a real snapshot, damaged as the input says.
//
// A snapshot's checksum covers the whole state and is stored after it, so a damaged file passes
// through the parser (counts, strings, indices into the tables it has read) before the checksum
// is compared. The input is not a file: it is a list of edits to a valid snapshot written at start-up
// (truncations, bytes set or flipped, 64-bit words replaced with small or large values), as a torn
// write or a bad sector leaves a file, so that coverage steers the edits into the structure instead
// of making foreign files that fail at the magic number.
//
// Contract on every input: the edited file either loads (only an unchanged file may) or is refused
// with a routing_core::Error that leaves the engine empty; now and then, the engine that refused a
// file then loads the good one.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "routing_core/engine.hpp"
#include "routing_core/error.hpp"
#include "test_fixtures.hpp"

using namespace routing_core;

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "contract broken: %s\n", what);
    std::abort();
}

std::unique_ptr<Engine> new_engine() {
    return std::make_unique<Engine>(fixtures::small_gazetteer(), fixtures::small_rules(), EngineConfig{});
}

std::string scratch_path(const char* name) {
    return "/tmp/routing_core_fuzz_snapshot_" + std::to_string(::getpid()) + "_" + name + ".rcsnap";
}

std::vector<char> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::vector<char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) fail("cannot write the scratch file");
}

// An engine that has merged, opened, recurred, escalated and closed: every section of a snapshot
// has rows. Its snapshot and stats, once.
struct Source {
    std::string path = scratch_path("good");
    std::string edited_path = scratch_path("edited");  // where each input's file is written
    std::vector<char> bytes;
    EngineStats stats;

    Source() {
        auto engine = new_engine();
        const char* texts[] = {"巡查发现门口夜宵摊占道经营", "来电人反映有夜宵摊占道经营", "门口垃圾桶满溢无人清运",
                               "楼下垃圾满溢发臭", "路灯不亮晚上很黑", "井盖缺失有安全隐患"};
        const char* addresses[] = {"鄞州区百丈街道七五社区百丈东路168号", "百丈东路一百六十八号",
                                   "百丈东路186号", "鄞州区百丈街道七五社区", "百丈东路", ""};
        const char* sources[] = {"grid", "hotline", "app"};
        const std::int64_t t0 = 1795392000;  // 2026-11-23T00:00:00Z
        for (int i = 0; i < 60; ++i) {
            const std::int64_t t = t0 + i * 5400;
            const Decision d = engine->submit(Report{"r" + std::to_string(i), texts[(i * 7) % 6],
                                                     addresses[(i * 5) % 6], t, sources[i % 3], "", std::nullopt,
                                                     std::nullopt},
                                              false);
            if (i % 9 == 8) engine->close(d.event_id, t + 60, "已处置");  // some events closed, recurrences after
        }
        engine->advance(t0 + 60 * 5400 + 86400 * 3);
        engine->save_snapshot(path);
        bytes = read_file(path);
        stats = engine->stats();
        if (bytes.size() < 1000) fail("the source snapshot is too small to be a real one");
    }
    ~Source() {
        std::remove(path.c_str());
        std::remove(edited_path.c_str());
    }
};

const Source& source() {
    static const Source instance;
    return instance;
}

bool same(const EngineStats& a, const EngineStats& b) {
    return a.events == b.events && a.open_events == b.open_events && a.reports == b.reports;
}

bool empty(const Engine& e) {
    const EngineStats s = e.stats();
    return s.events == 0 && s.open_events == 0 && s.reports == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Source& good = source();
    FuzzedDataProvider in(data, size);
    std::vector<char> bytes = good.bytes;
    const int edits = in.ConsumeIntegralInRange<int>(1, 8);
    for (int k = 0; k < edits && !bytes.empty(); ++k) {
        const std::size_t at = in.ConsumeIntegralInRange<std::size_t>(0, bytes.size() - 1);
        switch (in.ConsumeIntegralInRange<int>(0, 4)) {
            case 0:  // a torn write: the file ends early
                bytes.resize(at);
                break;
            case 1:
                bytes[at] = static_cast<char>(in.ConsumeIntegral<std::uint8_t>());
                break;
            case 2:
                bytes[at] = static_cast<char>(bytes[at] ^ (1 << in.ConsumeIntegralInRange<int>(0, 7)));
                break;
            case 3:
            case 4: {  // a count, length or index replaced: small (fits the file) or anything
                const std::uint64_t word = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint64_t>(0, 4096)
                                                            : in.ConsumeIntegral<std::uint64_t>();
                std::memcpy(bytes.data() + at, &word, std::min(sizeof word, bytes.size() - at));
                break;
            }
        }
    }
    const bool changed = bytes != good.bytes;
    const std::string& path = good.edited_path;
    write_file(path, bytes);

    static std::unique_ptr<Engine> target = new_engine();
    try {
        target->load_snapshot(path);
        if (changed) fail("an edited snapshot loaded");
        if (!same(target->stats(), good.stats)) fail("the good snapshot loaded into another state");
        target = new_engine();  // loads need an empty engine
    } catch (const Error&) {
        if (!changed) fail("the good snapshot was refused");
        if (!empty(*target)) fail("a refused snapshot left state in the engine");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "load_snapshot threw a non-domain exception: %s\n", e.what());
        std::abort();
    }
    // Now and then, the engine that refused a file still loads the good one.
    if (in.ConsumeBool() && in.ConsumeBool() && in.ConsumeBool()) {
        target->load_snapshot(good.path);
        if (!same(target->stats(), good.stats)) fail("after a refusal, the good snapshot loaded into another state");
        target = new_engine();
    }
    return 0;
}
