// The one place where C++ exceptions become Python exceptions. Every class has
// two bases, the nbaprops root and the matching builtin, so users can catch
// either.
#include <pybind11/pybind11.h>

#include <string_view>

#include "bindings.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/pipeline/run_lock.hpp"

namespace nbaprops::py {
namespace {

struct Classes {
  pyb::object root, config, data, preflight, storage, network, cancelled, internal, busy;
};

Classes& classes() {
  static Classes* c = new Classes();  // leaked on purpose: lives as long as the interpreter
  return *c;
}

pyb::object make(pyb::module_& m, const char* name, pyb::handle base1, pyb::handle base2, const char* doc) {
  pyb::object bases = base2 ? pyb::object(pyb::make_tuple(base1, base2)) : pyb::reinterpret_borrow<pyb::object>(base1);
  pyb::object cls = pyb::reinterpret_steal<pyb::object>(
      PyErr_NewExceptionWithDoc((std::string("nbaprops.errors.") + name).c_str(), doc, bases.ptr(), nullptr));
  if (!cls) throw pyb::error_already_set();
  m.attr(name) = cls;
  return cls;
}

}  // namespace

void bind_errors(pyb::module_& m) {
  Classes& c = classes();
  c.root = make(m, "NbaPropsError", PyExc_Exception, nullptr, "Base class of every nbaprops error.");
  c.config = make(m, "ConfigError", c.root, PyExc_ValueError, "Invalid arguments or configuration.");
  c.data = make(m, "DataError", c.root, PyExc_ValueError, "Malformed input data (file, row, field, date named).");
  c.preflight = make(m, "PreflightError", c.root, PyExc_RuntimeError, "Pre-flight found missing upstream data.");
  c.storage = make(m, "StorageError", c.root, PyExc_OSError, "Warehouse storage failure.");
  c.network = make(m, "NetworkError", c.root, PyExc_ConnectionError, "Network failure.");
  c.cancelled = make(m, "Cancelled", c.root, PyExc_KeyboardInterrupt, "The run was interrupted.");
  c.internal = make(m, "InternalError", c.root, PyExc_RuntimeError, "A broken invariant: a bug in nbaprops.");
  c.busy = make(m, "WarehouseBusyError", c.storage, nullptr,
                "Another run is writing the same tables of the warehouse (named in the message); run again once "
                "it finished. A StorageError.");
  // Private hook so the test suite can prove each code maps to its class.
  m.def("_raise_error", [](const std::string& code, const std::string& message) {
    if (code == "config") throw ConfigError(message);
    if (code == "data") throw DataError(message);
    if (code == "preflight") throw PreflightError(message);
    if (code == "storage") throw StorageError(message);
    if (code == "network") throw NetworkError(message);
    if (code == "cancelled") throw Cancelled(message);
    if (code == "internal") throw InternalError(message);
    if (code == "busy") throw pipeline::WarehouseBusy(message);
    throw std::invalid_argument("unknown error code " + code);
  });
  pyb::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const pyb::builtin_exception&) {
      throw;
    } catch (const pyb::error_already_set&) {
      throw;
    } catch (const Error& e) {
      Classes& k = classes();
      pyb::handle cls;
      switch (e.code()) {
        case ErrorCode::kConfig:
          cls = k.config;
          break;
        case ErrorCode::kData:
          cls = k.data;
          break;
        case ErrorCode::kPreflight:
          cls = k.preflight;
          break;
        case ErrorCode::kStorage:
          cls = k.storage;
          break;
        case ErrorCode::kNetwork:
          cls = k.network;
          break;
        case ErrorCode::kCancelled:
          cls = k.cancelled;
          break;
        case ErrorCode::kInternal:
          cls = k.internal;
          break;
      }
      if (dynamic_cast<const pipeline::WarehouseBusy*>(&e) != nullptr) cls = k.busy;
      // A message quoting a file's bytes (a Latin-1 name) must still become a
      // Python str: Python's own decoder escapes invalid UTF-8 as \xNN
      // (backslashreplace), never a UnicodeDecodeError in place of the real
      // error. Should decoding itself fail (memory), its error stands.
      const std::string_view what = e.what();
      PyObject* text = PyUnicode_DecodeUTF8(what.data(), static_cast<Py_ssize_t>(what.size()), "backslashreplace");
      if (text != nullptr) {
        PyErr_SetObject(cls.ptr(), text);
        Py_DECREF(text);
      }
    }
  });
}

}  // namespace nbaprops::py
