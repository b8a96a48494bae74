// libFuzzer target for the core's entry points that see hostile input from public channels:
// utf8 validation, normalise_text / normalise_address, Engine::parse_address, Engine::classify,
// Engine::submit and Engine::submit_many (including re-sent ids), close and advance.
//
// Contract checked on every input: no crash, no sanitizer report, no exception other than a
// routing_core::Error (bad input is a domain error, never std::logic_error or a segfault), and a
// rejected call leaves the engine's state unchanged (stats and the event it named).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "routing_core/engine.hpp"
#include "routing_core/error.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"
#include "test_fixtures.hpp"

using namespace routing_core;

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "contract broken: %s\n", what);
    std::abort();
}

bool same(const EngineStats& a, const EngineStats& b) {
    return a.events == b.events && a.open_events == b.open_events && a.reports == b.reports;
}

Engine& engine() {
    // One engine for the whole run, so that state accumulates (candidates, closed events, receipts).
    static Engine instance(fixtures::small_gazetteer(), fixtures::small_rules(), EngineConfig{});
    return instance;
}

const std::vector<std::string> sources{"grid", "hotline", "app", "web", "wechat", "other", "fax", ""};
const std::vector<std::string> categories{"", "sanitation", "street_vending", "dispute", "no_such"};

Report make_report(FuzzedDataProvider& in) {
    Report r;
    r.id = in.ConsumeBool() ? "r" + std::to_string(in.ConsumeIntegralInRange<int>(0, 50)) : in.ConsumeRandomLengthString(40);
    r.text = in.ConsumeRandomLengthString(4096);
    r.address = in.ConsumeRandomLengthString(256);
    r.time = in.ConsumeBool() ? 1795392000 + in.ConsumeIntegralInRange<std::int64_t>(-86400, 86400 * 30)
                              : in.ConsumeIntegral<std::int64_t>();
    r.source = in.PickValueInArray<const std::string>({sources[0], sources[1], sources[2], sources[3], sources[4],
                                                       sources[5], sources[6], sources[7]});
    // A known code, none, an unknown one, or any bytes (an unknown category's message compares them
    // with the codes).
    const std::size_t pick = in.ConsumeIntegralInRange<std::size_t>(0, categories.size());
    r.category = pick < categories.size() ? categories[pick] : in.ConsumeRandomLengthString(300);
    if (in.ConsumeBool()) {
        r.lat = in.ConsumeFloatingPoint<double>();
        r.lon = in.ConsumeBool() ? std::optional<double>(in.ConsumeFloatingPoint<double>()) : std::nullopt;
    }
    return r;
}

template <typename F>
void expect_domain_errors_only(F&& f, const char* what) {
    try {
        f();
    } catch (const Error&) {
        // bad input: a domain error naming the field is the contract
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s threw a non-domain exception: %s\n", what, e.what());
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    Engine& e = engine();
    const int action = in.ConsumeIntegralInRange<int>(0, 6);
    switch (action) {
        case 0: {  // the pure functions, on raw bytes
            const std::string s = in.ConsumeRemainingBytesAsString();
            if (utf8::find_invalid(s) == std::string::npos) {
                const std::u32string decoded = utf8::decode(s);
                if (utf8::encode(decoded) != s) fail("utf8 round trip");
                (void)normalise_text(decoded);
                (void)normalise_address(decoded);
            }
            break;
        }
        case 1:
            expect_domain_errors_only([&] { (void)e.parse_address(in.ConsumeRemainingBytesAsString()); }, "parse_address");
            break;
        case 2:
            expect_domain_errors_only([&] { (void)e.classify(in.ConsumeRemainingBytesAsString()); }, "classify");
            break;
        case 3:
        case 4: {
            const EngineStats before = e.stats();
            const Report r = make_report(in);
            const bool known = e.knows_report(r.id);
            try {
                const Decision d = e.submit(r);
                if (d.report_id != r.id || d.event_id.empty()) fail("decision names no report or event");
                if (known && !same(before, e.stats())) fail("a re-sent report changed the state");
                if (!known && e.stats().reports != before.reports + 1) fail("an accepted report was not counted");
            } catch (const Error&) {
                if (!same(before, e.stats())) fail("a rejected report changed the state");
            } catch (const std::exception& ex) {
                std::fprintf(stderr, "submit threw a non-domain exception: %s\n", ex.what());
                std::abort();
            }
            break;
        }
        case 5: {
            std::vector<Report> batch;
            const int n = in.ConsumeIntegralInRange<int>(0, 6);
            for (int i = 0; i < n; ++i) batch.push_back(make_report(in));
            const EngineStats before = e.stats();
            try {
                const auto decisions = e.submit_many(batch);
                if (decisions.size() != batch.size()) fail("one decision per report");
            } catch (const Error&) {
                if (!same(before, e.stats())) fail("a rejected batch changed the state");
            }
            break;
        }
        case 6: {
            const EngineStats before = e.stats();
            const std::string id = in.ConsumeBool() ? "E0000000" + std::to_string(in.ConsumeIntegralInRange<int>(1, 9))
                                                    : in.ConsumeRandomLengthString(20);
            const std::int64_t t = in.ConsumeIntegral<std::int64_t>();
            if (in.ConsumeBool()) {
                try {
                    (void)e.close(id, t, in.ConsumeRemainingBytesAsString());
                } catch (const Error&) {
                    if (!same(before, e.stats())) fail("a rejected close changed the state");
                }
            } else {
                expect_domain_errors_only([&] { (void)e.advance(t); }, "advance");
            }
            break;
        }
    }
    return 0;
}
