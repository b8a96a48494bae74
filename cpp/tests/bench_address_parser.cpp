// Throughput of the C++ address parser on one core, without Python: loads the bundled gazetteer TSV
// and the labelled address set, then times normalise_address alone (the baseline) and normalise +
// parse_address over the set, repeated. Prints addresses per second for both.
//
//   bench_address_parser <gazetteer.tsv> <address_set.tsv> [seconds per measurement, default 2] [parse-only]
//
// ctest runs it with a short budget as a smoke test so that it cannot rot.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "routing_core/address_parser.hpp"
#include "routing_core/gazetteer.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

using namespace routing_core;

namespace {

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, sep)) out.push_back(field);
    if (!line.empty() && line.back() == sep) out.emplace_back();
    return out;
}

Gazetteer load_gazetteer(const char* path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(std::string("cannot read ") + path);
    return Gazetteer::from_tsv(in, path);
}

std::vector<std::string> load_addresses(const char* path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(std::string("cannot read ") + path);
    std::vector<std::string> out;
    std::string line;
    bool header = false;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (!header) {
            header = true;
            continue;
        }
        out.push_back(split(line, '\t').at(2));
    }
    return out;
}

// Runs `body` over all addresses until `seconds` have passed; returns addresses per second.
template <typename F>
double throughput(const std::vector<std::string>& addresses, double seconds, F body) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    std::size_t done = 0;
    double elapsed = 0.0;
    do {
        for (const auto& a : addresses) body(a);
        done += addresses.size();
        elapsed = std::chrono::duration<double>(clock::now() - start).count();
    } while (elapsed < seconds);
    return static_cast<double>(done) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s <gazetteer.tsv> <address_set.tsv> [seconds]\n", argv[0]);
        return 2;
    }
    const double seconds = argc > 3 ? std::atof(argv[3]) : 2.0;
    const Gazetteer g = load_gazetteer(argv[1]);
    const auto addresses = load_addresses(argv[2]);
    std::size_t sink = 0;  // keeps the optimiser from dropping the work
    const bool parse_only = argc > 4 && std::string(argv[4]) == "parse-only";  // for profiling
    const double baseline = throughput(addresses, parse_only ? 0.0 : seconds, [&](const std::string& a) {
        sink += normalise_address(utf8::decode(a)).size();
    });
    std::size_t towns = 0;
    const double parsed = throughput(addresses, seconds, [&](const std::string& a) {
        const Address parsed_address = parse_address(g, normalise_address(utf8::decode(a)));
        towns += parsed_address.unit_at(Level::town) != no_unit;
        sink += parsed_address.road.size();
    });
    std::printf("addresses: %zu (gazetteer units %zu)\n", addresses.size(), g.size());
    std::printf("normalise_address only:          %10.0f addresses/s\n", baseline);
    std::printf("normalise_address+parse_address: %10.0f addresses/s (%.2f us each)\n", parsed, 1e6 / parsed);
    std::printf("(sink %zu, towns %zu)\n", sink, towns);
    return towns == 0 ? 1 : 0;
}
