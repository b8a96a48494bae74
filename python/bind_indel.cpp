// routing_core._core.indel_ratio / indel_ratio_many / indel_ratio_matrix: the Indel kernel (routing_core/indel.hpp).
// Strings are converted and decoded with the GIL held; the scoring loop runs without it.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "routing_core/error.hpp"
#include "routing_core/indel.hpp"
#include "routing_core/utf8.hpp"

namespace py = pybind11;

namespace {

// pybind11's std::string caster also accepts bytes, so invalid UTF-8 can reach here from Python; the
// error names the argument (and the element of a list).
std::u32string decode_text(const std::string& s, const std::string& field) {
    if (routing_core::utf8::find_invalid(s) != std::string::npos) {
        throw routing_core::InvalidInput(field, routing_core::excerpt(s), "invalid UTF-8");
    }
    return routing_core::utf8::decode(s);
}

std::vector<std::u32string> decode_all(const std::vector<std::string>& texts, const char* name) {
    std::vector<std::u32string> decoded;
    decoded.reserve(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        decoded.push_back(decode_text(texts[i], std::string(name) + "[" + std::to_string(i) + "]"));
    }
    return decoded;
}

double indel_ratio_pair(const std::string& a, const std::string& b) {
    return routing_core::indel_ratio(decode_text(a, "a"), decode_text(b, "b"));
}

py::array_t<double> indel_ratio_many(const std::string& query, const std::vector<std::string>& texts) {
    const routing_core::IndelPattern pattern(decode_text(query, "query"));
    const std::vector<std::u32string> decoded = decode_all(texts, "texts");
    py::array_t<double> out(static_cast<py::ssize_t>(decoded.size()));
    double* ratios = out.mutable_data();  // taken while the GIL is held; the array outlives the loop
    {
        py::gil_scoped_release release;
        for (std::size_t i = 0; i < decoded.size(); ++i) ratios[i] = pattern.ratio(decoded[i]);
    }
    return out;
}

// Every query against every text, like rapidfuzz.process.cdist: each string is decoded once.
py::array_t<double> indel_ratio_matrix(const std::vector<std::string>& queries,
                                       const std::vector<std::string>& texts) {
    const std::vector<std::u32string> decoded = decode_all(texts, "texts");
    const std::vector<std::u32string> asked = decode_all(queries, "queries");
    py::array_t<double> out({static_cast<py::ssize_t>(asked.size()), static_cast<py::ssize_t>(decoded.size())});
    double* ratios = out.mutable_data();  // taken while the GIL is held; the array outlives the loop
    {
        py::gil_scoped_release release;
        for (std::size_t q = 0; q < asked.size(); ++q) {
            const routing_core::IndelPattern pattern(asked[q]);
            double* row = ratios + q * decoded.size();
            for (std::size_t i = 0; i < decoded.size(); ++i) row[i] = pattern.ratio(decoded[i]);
        }
    }
    return out;
}

}  // namespace

void bind_indel(py::module_& m) {
    m.def("indel_ratio", &indel_ratio_pair, py::arg("a"), py::arg("b"),
          "2·LCS(a, b) / (len(a) + len(b)) over code points, 1.0 when both are empty "
          "(rapidfuzz.fuzz.ratio(a, b) / 100).");
    m.def("indel_ratio_many", &indel_ratio_many, py::arg("query"), py::arg("texts"),
          "indel_ratio(query, t) for each t in texts, as a float64 array; the query's bit masks are "
          "built once.");
    m.def("indel_ratio_matrix", &indel_ratio_matrix, py::arg("queries"), py::arg("texts"),
          "indel_ratio(q, t) for every q in queries (rows) and t in texts (columns), as a float64 array; "
          "every string is decoded once, as rapidfuzz.process.cdist does.");
}
