// Micro-benchmarks of the routing step: a classified report -> platform, level, unit, deadline.
// Run (see benchmarks/RESULTS.md for the figures):
//   cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DROUTING_CORE_BUILD_PYTHON=OFF
//         -DROUTING_CORE_BUILD_BENCHMARKS=ON
//   cmake --build build/bench -j2
//   build/bench/cpp/bench/bench_router --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
// The rule set has the size of the shipped Ningbo rules (22 categories, ~1,100 terms, 11 routing rules);
// the classifier on the same text is the baseline measured in the same run.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "routing_core/classifier.hpp"
#include "routing_core/gazetteer.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/router.hpp"
#include "routing_core/rules.hpp"
#include "routing_core/utf8.hpp"

namespace {

using namespace routing_core;

const char* const platforms[] = {"governance", "market", "enforcement", "services"};
const char* const syllables[] = {"垃", "圾", "噪", "音", "占", "道", "漏", "水", "停", "车", "油", "烟", "欠", "薪",
                                 "电", "梯", "路", "灯", "井", "盖", "违", "建", "消", "防", "河", "污"};

std::string term(std::size_t i) {
    const std::size_t n = sizeof(syllables) / sizeof(*syllables);
    return std::string(syllables[i % n]) + syllables[(i / n) % n] + syllables[(i / n / n) % n];
}

RuleSet ningbo_sized_rules() {
    RuleSet r;
    for (const char* p : platforms) r.add_platform(p, p);
    for (int c = 0; c < 22; ++c) {
        r.add_category("c" + std::to_string(c), "类别", platforms[c % 4], {platforms[(c + 1) % 4]},
                       static_cast<Level>(c % 4), 24.0 + c);
    }
    for (std::size_t t = 0; t < 1100; ++t) r.add_term("c" + std::to_string(t % 22), term(t), 1.0 + t % 5);
    for (int k = 0; k < 8; ++k) {
        RoutingRuleSpec s;
        s.id = "SEV-" + std::to_string(k);
        s.terms = {term(2000 + 3 * k), term(2001 + 3 * k), term(2002 + 3 * k)};
        s.min_level = Level::county;
        s.deadline_hours = 2;
        r.add_rule(s);
    }
    RoutingRuleSpec many;
    many.id = "MANY";
    many.min_reports = 10;
    many.min_level = Level::town;
    r.add_rule(many);
    RoutingRuleSpec recurs;
    recurs.id = "RECURS";
    recurs.min_recurrences = 2;
    recurs.co_platforms = {"governance"};
    r.add_rule(recurs);
    RoutingRuleSpec hotline;
    hotline.id = "HOTLINE";
    hotline.priority = 10;
    hotline.channels = {"hotline"};
    hotline.categories = {"c3"};
    hotline.min_level = Level::county;
    r.add_rule(hotline);
    r.set_rule_negation({"没有", "无", "未"}, 2);
    for (Level l : {Level::grid, Level::community, Level::town, Level::county, Level::city}) r.set_level_hours(l, 48);
    r.set_fallback_category("c0");
    r.validate();
    return r;
}

Gazetteer small_city() {
    Gazetteer g;
    g.add_unit("330000", Level::province, "", "浙江省", {});
    g.add_unit("330200", Level::city, "330000", "宁波市", {});
    g.add_unit("330212", Level::county, "330200", "鄞州区", {});
    g.add_unit("330212010", Level::town, "330212", "百丈街道", {});
    g.add_unit("3302120101ea2", Level::community, "330212010", "划船社区", {});
    g.build();
    return g;
}

struct Fixture {
    RuleSet rules = ningbo_sized_rules();
    Gazetteer gazetteer = small_city();
    Router router{rules, gazetteer};
    Classifier classifier{rules};
    // A typical report: ~40 characters, three category terms, one severity term.
    std::u32string text = normalise_text(utf8::decode("来电人反映百丈东路168号门口" + term(5) + term(27) + "好几天没人管，" +
                                                      term(49) + "，今天" + term(2000) + "，请尽快处理"));
    Address address;
    Fixture() {
        address.units[level_index(Level::community)] = gazetteer.find("3302120101ea2");
        address.units[level_index(Level::town)] = gazetteer.find("330212010");
        address.units[level_index(Level::county)] = gazetteer.find("330212");
        address.units[level_index(Level::city)] = gazetteer.find("330200");
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

// The routing step alone: category, counts, channel and the text's rule-term hits known.
void BM_Route(benchmark::State& state) {
    Fixture& f = fixture();
    const auto hits = f.router.term_hits(f.text);
    const RouteInput input{3, "hotline", 1, 0, 1'790'000'000};
    for (auto _ : state) benchmark::DoNotOptimize(f.router.route(input, hits, f.address));
}
BENCHMARK(BM_Route);

// Turning a routing into rule ids and reasons (what Decision.explain() shows).
void BM_Explain(benchmark::State& state) {
    Fixture& f = fixture();
    const RouteInput input{3, "hotline", 1, 0, 1'790'000'000};
    const Routing routing = f.router.route(input, f.router.term_hits(f.text), f.address);
    for (auto _ : state) {
        std::vector<std::string> ids;
        std::vector<std::string> reasons;
        f.router.explain(input, routing, ids, reasons);
        benchmark::DoNotOptimize(ids.data());
        benchmark::DoNotOptimize(reasons.data());
    }
}
BENCHMARK(BM_Explain);

// Finding the routing-rule terms (and negation cues) in the text.
void BM_RuleTermHits(benchmark::State& state) {
    Fixture& f = fixture();
    for (auto _ : state) benchmark::DoNotOptimize(f.router.term_hits(f.text));
}
BENCHMARK(BM_RuleTermHits);

// Baseline: classifying the same text (1,100 terms, one pass).
void BM_Classify(benchmark::State& state) {
    Fixture& f = fixture();
    for (auto _ : state) benchmark::DoNotOptimize(f.classifier.classify(f.text));
}
BENCHMARK(BM_Classify);

}  // namespace

BENCHMARK_MAIN();
