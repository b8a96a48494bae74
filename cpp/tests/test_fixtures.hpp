// A small hand-made gazetteer and rule set for the C++ tests, so that they do not depend on the
// bundled data files (which the Python tests exercise).
#pragma once

#include "routing_core/gazetteer.hpp"
#include "routing_core/rules.hpp"

namespace routing_core::fixtures {

// 浙江省 > 宁波市 > 鄞州区 > {百丈街道 > {划船社区, 七五社区}, 东柳街道 > {划船社区 (a second, for ambiguity)}},
// 宁波市 > 海曙区 > 鼓楼街道 > 中山社区.
Gazetteer small_gazetteer();
// Platforms governance/enforcement/market; categories sanitation (community), street_vending (town),
// dispute (community), consultation (grid, fallback); one severity rule SEV-FIRE (county, 2 h).
RuleSet small_rules();

}  // namespace routing_core::fixtures
