// Hierarchy-aware similarity of two parsed addresses: same road and number ≫ same road ≫ same compound
// or community ≫ same town. A level that one address leaves out is unknown, not a mismatch; a level
// both name differently is a mismatch that no finer agreement can outweigh.
#pragma once

#include "routing_core/types.hpp"

namespace routing_core {

// In [0, 1]; symmetric.
double address_similarity(const Address& a, const Address& b) noexcept;

}  // namespace routing_core
