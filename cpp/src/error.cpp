#include "routing_core/error.hpp"

#include <cstdio>

#include "routing_core/utf8.hpp"

namespace routing_core {

InvalidInput::InvalidInput(std::string field, std::string value, const std::string& problem)
    : Error("field '" + field + "': " + problem + " (value: " + value + ")"),
      field_(std::move(field)),
      value_(std::move(value)),
      problem_(problem) {}

UnknownEvent::UnknownEvent(const std::string& event_id) : Error("unknown event id '" + excerpt(event_id) + "'") {}

UnknownEvent::UnknownEvent(const std::string& event_id, const std::string& where)
    : Error(where + ": unknown event id '" + excerpt(event_id) + "'") {}

std::string excerpt(const std::string& value, std::size_t max_bytes) {
    // Escape bytes that are not valid UTF-8 so that the message itself is always valid UTF-8.
    std::string out;
    std::size_t i = 0;
    while (i < value.size() && out.size() < max_bytes) {
        std::size_t len = utf8::valid_sequence_length(value, i);
        if (len == 0) {
            static const char* hex = "0123456789abcdef";
            const auto byte = static_cast<unsigned char>(value[i]);
            out += "\\x";
            out += hex[byte >> 4];
            out += hex[byte & 0xF];
            ++i;
        } else if (len == 1 && static_cast<unsigned char>(value[i]) < 0x20) {
            out += ' ';
            ++i;
        } else {
            out.append(value, i, len);
            i += len;
        }
    }
    if (i < value.size()) {
        out += "…[" + std::to_string(value.size()) + " bytes]";
    }
    return out;
}

std::string number_text(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", value);
    return text;
}

}  // namespace routing_core
