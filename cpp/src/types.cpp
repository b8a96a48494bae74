#include "routing_core/types.hpp"

#include <stdexcept>

namespace routing_core {

namespace {
constexpr std::array<const char*, level_count> level_codes{"grid", "community", "town", "county", "city", "province"};
}

const char* level_code(Level level) noexcept { return level_codes[level_index(level)]; }

Level level_from_code(const std::string& code) {
    for (std::size_t i = 0; i < level_codes.size(); ++i) {
        if (code == level_codes[i]) return static_cast<Level>(i);
    }
    throw std::invalid_argument("unknown level '" + code + "'");
}

std::optional<Level> Address::finest_level() const noexcept {
    for (std::size_t i = 0; i < level_count; ++i) {
        if (units[i] != no_unit) return static_cast<Level>(i);
    }
    return std::nullopt;
}

}  // namespace routing_core
