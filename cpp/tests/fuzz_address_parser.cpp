// libFuzzer target for the address path: any bytes -> (if valid UTF-8) normalise_address ->
// parse_address with the bundled Ningbo gazetteer -> canonical_key and address_similarity. Checks
// the contracts as it goes (idempotent normalisation, confidence and similarity in [0, 1],
// similarity symmetric, units consistent with their parents) and traps when one fails.
//
// Build (clang only; see cpp/tests/CMakeLists.txt, option ROUTING_CORE_FUZZ) and run briefly:
//   build/fuzz/cpp/tests/fuzz_address_parser -max_total_time=60 -dict=cpp/tests/fuzz_address.dict
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

#include "routing_core/address_parser.hpp"
#include "routing_core/address_similarity.hpp"
#include "routing_core/gazetteer.hpp"
#include "routing_core/normalise.hpp"
#include "routing_core/utf8.hpp"

#ifndef ROUTING_CORE_GAZETTEER_TSV
#error "define ROUTING_CORE_GAZETTEER_TSV as the path of the gazetteer file"
#endif

using namespace routing_core;

namespace {

const Gazetteer& gazetteer() {
    static const Gazetteer g = [] {
        std::ifstream in(ROUTING_CORE_GAZETTEER_TSV);
        return Gazetteer::from_tsv(in, ROUTING_CORE_GAZETTEER_TSV);
    }();
    return g;
}

const Address& reference() {
    static const Address a = parse_address(gazetteer(), normalise_address(U"浙江省宁波市鄞州区百丈街道划船社区百丈东路168号3幢"));
    return a;
}

void check(bool ok) {
    if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (utf8::find_invalid(bytes) != std::string_view::npos) return 0;  // the API refuses these first
    const std::u32string normalised = normalise_address(utf8::decode(bytes));
    check(normalise_address(normalised) == normalised);
    const Gazetteer& g = gazetteer();
    const Address a = parse_address(g, normalised);
    check(a.confidence >= 0.0 && a.confidence <= 1.0);
    for (std::size_t level = 0; level + 1 < level_count; ++level) {
        const std::int32_t unit = a.units[level];
        if (unit == no_unit) continue;
        for (std::size_t up = level + 1; up < level_count; ++up) {
            if (a.units[up] != no_unit) {
                check(g.ancestor_at(static_cast<std::uint32_t>(unit), static_cast<Level>(up)) == a.units[up]);
            }
        }
    }
    (void)canonical_key(g, a);
    const double s1 = address_similarity(a, reference());
    const double s2 = address_similarity(reference(), a);
    check(s1 == s2 && s1 >= 0.0 && s1 <= 1.0);
    const double self = address_similarity(a, a);
    check(self >= 0.0 && self <= 1.0);
    return 0;
}
