// Address parsing: a normalised Chinese address → administrative units (from the gazetteer) and the
// finer components (road, number, compound, building, unit, room) plus what is left over.
#pragma once

#include <string_view>

#include "routing_core/gazetteer.hpp"
#include "routing_core/types.hpp"

namespace routing_core {

// Parses `normalised` (the output of normalise_address). Never throws for any input; names that fit
// several units are listed in Address::ambiguities instead of being guessed.
Address parse_address(const Gazetteer& gazetteer, std::u32string_view normalised);

// A canonical string for an address: the resolved unit codes and the finer components, '|'-separated.
// Two addresses with the same key name the same place as far as the parser can tell.
std::string canonical_key(const Gazetteer& gazetteer, const Address& address);

}  // namespace routing_core
