// Positions on the earth: the distance between two GPS positions, and the square cells of the
// candidate index's geo keys.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace routing_core {

constexpr double earth_radius_m = 6371008.8;  // the mean radius (IUGG)

// Great-circle (haversine) distance in metres between two positions given in degrees.
inline double metres_between(double lat1, double lon1, double lat2, double lon2) noexcept {
    constexpr double radians = 3.14159265358979323846 / 180.0;
    const double dlat = (lat2 - lat1) * radians;
    const double dlon = (lon2 - lon1) * radians;
    const double sin_half_dlat = std::sin(dlat / 2);
    const double sin_half_dlon = std::sin(dlon / 2);
    const double a = sin_half_dlat * sin_half_dlat +
                     std::cos(lat1 * radians) * std::cos(lat2 * radians) * sin_half_dlon * sin_half_dlon;
    return 2 * earth_radius_m * std::asin(std::min(1.0, std::sqrt(a)));
}

// A cell of a grid of squares about `side_m` wide: rows of equal latitude span, and in each row
// columns of equal width at the row's middle latitude (a column index computed at each position's own
// latitude would drift by whole cells between neighbouring rows far from the equator).
struct GeoCell {
    std::int64_t row = 0;
    std::int64_t column = 0;
};

inline double geo_row_degrees(double side_m) noexcept {
    constexpr double radians = 3.14159265358979323846 / 180.0;
    return side_m / (earth_radius_m * radians);
}

inline std::int64_t geo_column(std::int64_t row, double lon, double side_m) noexcept {
    constexpr double radians = 3.14159265358979323846 / 180.0;
    const double row_deg = geo_row_degrees(side_m);
    const double middle = (static_cast<double>(row) + 0.5) * row_deg;
    // Near the poles a column would be narrower than a metre; its width is bounded below.
    const double width_deg = row_deg / std::max(std::cos(middle * radians), 1e-6);
    return static_cast<std::int64_t>(std::floor(lon / width_deg));
}

inline GeoCell geo_cell(double lat, double lon, double side_m) noexcept {
    const auto row = static_cast<std::int64_t>(std::floor(lat / geo_row_degrees(side_m)));
    return GeoCell{row, geo_column(row, lon, side_m)};
}

}  // namespace routing_core
