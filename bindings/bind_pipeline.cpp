// Plans, pre-flight, the asynchronous runner handle, checkpoints, freshness and coverage.
// The runner executes in its own thread; Python polls events with the GIL
// released and never runs inside a TBB task.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <string>
#include <unordered_map>

#include "bindings.hpp"
#include "convert.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/pipeline/checkpoint.hpp"
#include "nbaprops/pipeline/coverage.hpp"
#include "nbaprops/pipeline/freshness.hpp"
#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/pipeline/preflight.hpp"
#include "nbaprops/pipeline/run_lock.hpp"
#include "nbaprops/pipeline/runner.hpp"

namespace nbaprops::py {
namespace pl = nbaprops::pipeline;

namespace {

/// Keeps the warehouse and schedule alive as long as the run handle.
struct PyRunHandle {
  std::shared_ptr<Warehouse> warehouse;
  std::shared_ptr<Schedule> schedule;
  std::shared_ptr<pl::Plan> plan;
  std::unique_ptr<pl::RunHandle> handle;
};

/// Records (plan, result or freshness units) as columns for one
/// pandas.DataFrame call: a dict of numpy arrays and lists of str. A dict per
/// record, then pandas taking the dicts apart, cost 18.7 ms for a 4-season
/// plan's 11,970 units; the columns, 4.9 ms. Texts repeat (processor names,
/// statuses, empty reasons), so each distinct value becomes one str object,
/// shared by its rows.
class RecordColumns {
 public:
  explicit RecordColumns(size_t n) : n_(n) {}

  /// Column @p name of type @p T, row i holding get(i).
  template <class T, class Get>
  void number(const char* name, Get&& get) {
    pyb::array_t<T> a(static_cast<pyb::ssize_t>(n_));
    T* p = a.mutable_data();
    for (size_t i = 0; i < n_; ++i) p[i] = static_cast<T>(get(i));
    out_[name] = std::move(a);
  }

  /// Column @p name of str, row i holding get(i) (a string or C string).
  template <class Get>
  void text(const char* name, Get&& get) {
    pyb::list l(n_);
    std::unordered_map<std::string, pyb::str> distinct;
    for (size_t i = 0; i < n_; ++i) {
      std::string v = get(i);
      auto it = distinct.find(v);
      if (it == distinct.end()) it = distinct.emplace(v, py::text(v)).first;
      l[i] = it->second;
    }
    out_[name] = std::move(l);
  }

  [[nodiscard]] pyb::dict take() { return std::move(out_); }

 private:
  size_t n_;
  pyb::dict out_;
};

/// The columns every unit record starts with: processor and date (days).
template <class Units>
RecordColumns unit_columns(const Units& u) {
  RecordColumns c(u.size());
  c.text("processor", [&](size_t i) { return u[i].processor->info().name; });
  c.number<int64_t>("date", [&](size_t i) { return u[i].date.days(); });
  return c;
}

pyb::dict event_dict(const pl::UnitEvent& e) {
  pyb::dict d;
  d["processor"] = e.processor;
  d["date"] = e.date.iso();
  d["status"] = pl::to_string(e.status);
  d["rows"] = e.rows;
  d["seconds"] = e.seconds;
  d["reason"] = text(e.reason);
  d["entities"] = e.entities;
  return d;
}

/// RunOptions from a dict of field names; an unknown key is a ConfigError
/// naming it.
pl::RunOptions run_options_from(const pyb::dict& d) {
  pl::RunOptions o;
  for (const auto& [key, value] : d) {
    const auto k = pyb::str(key).cast<std::string>();
    try {
      if (k == "workers")
        o.workers = value.cast<int>();
      else if (k == "stop_on_failure")
        o.stop_on_failure = value.cast<bool>();
      else if (k == "resume")
        o.resume = value.cast<bool>();
      else if (k == "max_retries")
        o.max_retries = value.cast<int>();
      else if (k == "retry_base_seconds")
        o.retry_base_seconds = value.cast<double>();
      else if (k == "checkpoint_dir")
        o.checkpoint_dir = value.cast<std::string>();
      else if (k == "run_id")
        o.run_id = value.cast<std::string>();
      else if (k == "write_ledger")
        o.write_ledger = value.cast<bool>();
      else if (k == "cache_reads")
        o.cache_reads = value.cast<bool>();
      else {
        throw ConfigError("unknown run option '" + k +
                          "' (known: workers, stop_on_failure, resume, max_retries, "
                          "retry_base_seconds, checkpoint_dir, run_id, write_ledger, "
                          "cache_reads)");
      }
    } catch (const pyb::cast_error&) {
      throw ConfigError("run option '" + k + "': cannot use " + pyb::repr(value).cast<std::string>());
    }
  }
  return o;
}

/// Plans: make_plan and the plan's processors, dates and units.
void bind_plan(pyb::module_& m) {
  pyb::class_<pl::Plan, std::shared_ptr<pl::Plan>>(m, "NativePlan")
      .def("processors",
           [](const pl::Plan& p) {
             std::vector<std::string> out;
             for (const Processor* x : p.processors) out.push_back(x->info().name);
             return out;
           })
      .def("dates",
           [](const pl::Plan& p) {
             std::vector<int32_t> out;
             for (Date d : p.dates) out.push_back(d.days());
             return out;
           })
      .def("size", [](const pl::Plan& p) { return p.units.size(); })
      .def("all_skipped_no_games",
           [](const pl::Plan& p) {
             return std::all_of(p.units.begin(), p.units.end(),
                                [](const pl::Unit& u) { return u.planned == pl::UnitStatus::kSkippedNoGames; });
           })
      .def("units",
           [](const pl::Plan& p) {
             const auto& u = p.units;
             RecordColumns c = unit_columns(u);
             c.text("planned", [&](size_t i) { return pl::to_string(u[i].planned); });
             c.text("reason", [&](size_t i) { return u[i].reason; });
             return c.take();
           })
      .def("to_text", [](const pl::Plan& p) { return text(p.to_text()); });

  m.def("make_plan",
        [](std::shared_ptr<Warehouse> wh, std::shared_ptr<Schedule> s, std::optional<int32_t> start,
           std::optional<int32_t> end, const std::vector<int32_t>& dates, const std::vector<std::string>& procs) {
          pl::PlanOptions o;
          if (start || end)
            o.range = DateRange{Date(start.value_or(end.value_or(0))), Date(end.value_or(start.value_or(0)))};
          for (int32_t d : dates) o.dates.push_back(Date(d));
          o.processors = procs;
          if (o.range && o.range->end < o.range->start) {
            throw ConfigError("--end-date " + o.range->end.iso() + " is before --start-date " + o.range->start.iso());
          }
          pyb::gil_scoped_release release;
          return std::make_shared<pl::Plan>(pl::make_plan(*s, o));
        });
}

/// Pre-flight checks of a plan's upstream data.
void bind_preflight(pyb::module_& m) {
  pyb::class_<pl::PreflightReport, std::shared_ptr<pl::PreflightReport>>(m, "NativePreflightReport")
      .def("ok", &pl::PreflightReport::ok)
      .def("to_text", [](const pl::PreflightReport& r) { return text(r.to_text()); })
      .def("cells", [](const pl::PreflightReport& r) {
        pyb::list out;
        for (const auto& c : r.cells)
          out.append(pyb::make_tuple(c.table, c.date.days(), c.status, c.expected, c.found, text(c.reason)));
        return out;
      });
  m.def("preflight", [](std::shared_ptr<Warehouse> wh, std::shared_ptr<Schedule> s, std::shared_ptr<pl::Plan> p) {
    pyb::gil_scoped_release release;
    return std::make_shared<pl::PreflightReport>(pl::preflight(*wh, *s, *p));
  });
}

/// A run's result and its units.
void bind_results(pyb::module_& m) {
  pyb::class_<pl::RunResult, std::shared_ptr<pl::RunResult>>(m, "NativeRunResult")
      .def("exit_code", &pl::RunResult::exit_code)
      .def_readonly("cancelled", &pl::RunResult::cancelled)
      .def_readonly("seconds", &pl::RunResult::seconds)
      .def("summary_text", [](const pl::RunResult& r) { return text(r.summary_text()); })
      .def("warnings",
           [](const pl::RunResult& r) {
             pyb::list out;
             for (const auto& w : r.warnings) out.append(text(w));
             return out;
           })
      .def("units", [](const pl::RunResult& r) {
        const auto& u = r.units;
        RecordColumns c = unit_columns(u);
        c.text("status", [&](size_t i) { return pl::to_string(u[i].status); });
        c.number<int64_t>("rows", [&](size_t i) { return u[i].rows; });
        c.number<int64_t>("entities", [&](size_t i) { return u[i].entities; });
        c.number<int64_t>("attempts", [&](size_t i) { return u[i].attempts; });
        c.number<double>("seconds", [&](size_t i) { return u[i].seconds; });
        c.number<double>("read_seconds", [&](size_t i) { return u[i].read_seconds; });
        c.number<double>("compute_seconds", [&](size_t i) { return u[i].compute_seconds; });
        c.number<double>("write_seconds", [&](size_t i) { return u[i].write_seconds; });
        c.text("reason", [&](size_t i) { return u[i].reason; });
        c.number<int64_t>("start_seq", [&](size_t i) { return u[i].start_seq; });
        c.number<int64_t>("end_seq", [&](size_t i) { return u[i].end_seq; });
        return c.take();
      });
}

/// Running a plan: options, start_run and the handle to poll, cancel and wait for.
void bind_runs(pyb::module_& m) {
  pyb::class_<PyRunHandle>(m, "RunHandle")
      .def("poll",
           [](PyRunHandle& h, double timeout) {
             std::vector<pl::UnitEvent> events;
             {
               pyb::gil_scoped_release release;
               events = h.handle->poll(timeout);
             }
             pyb::list out;
             for (const auto& e : events) out.append(event_dict(e));
             return out;
           })
      .def("done", [](PyRunHandle& h) { return h.handle->done(); })
      .def("cancel", [](PyRunHandle& h) { h.handle->cancel(); })
      .def("wait", [](PyRunHandle& h) {
        pyb::gil_scoped_release release;
        return std::make_shared<pl::RunResult>(h.handle->wait());
      });

  pyb::class_<pl::RunOptions>(m, "RunOptions", "Options of one backfill run (pipeline::RunOptions).")
      .def(pyb::init<>())
      .def(pyb::init([](const pyb::dict& d) { return run_options_from(d); }), pyb::arg("options"),
           "From a dict whose keys are field names (an unknown key raises "
           "ConfigError).")
      .def_readwrite("workers", &pl::RunOptions::workers, "Concurrent units (>= 1).")
      .def_readwrite("stop_on_failure", &pl::RunOptions::stop_on_failure, "After the first failure start nothing new.")
      .def_readwrite("resume", &pl::RunOptions::resume, "Skip dates committed in the checkpoint.")
      .def_readwrite("max_retries", &pl::RunOptions::max_retries, "Retries of a unit after a transient error.")
      .def_readwrite("retry_base_seconds", &pl::RunOptions::retry_base_seconds,
                     "Backoff base: base * 2^(attempt-1) seconds.")
      .def_readwrite("checkpoint_dir", &pl::RunOptions::checkpoint_dir,
                     "Checkpoint directory ('' disables checkpoints); the "
                     "default is the legacy one.")
      .def_readwrite("run_id", &pl::RunOptions::run_id, "Ledger run id (generated when empty).")
      .def_readwrite("write_ledger", &pl::RunOptions::write_ledger, "Append one run_ledger row per unit.")
      .def_readwrite("cache_reads", &pl::RunOptions::cache_reads, "Serve upstream reads from a run-scoped cache.")
      .def("__repr__", [](const pl::RunOptions& o) {
        return "RunOptions(workers=" + std::to_string(o.workers) +
               ", stop_on_failure=" + (o.stop_on_failure ? "True" : "False") +
               ", resume=" + (o.resume ? "True" : "False") + ", max_retries=" + std::to_string(o.max_retries) +
               ", retry_base_seconds=" + std::to_string(o.retry_base_seconds) + ", checkpoint_dir='" +
               o.checkpoint_dir + "', run_id='" + o.run_id + "', write_ledger=" + (o.write_ledger ? "True" : "False") +
               ", cache_reads=" + (o.cache_reads ? "True" : "False") + ")";
      });

  m.def(
      "start_run",
      [](std::shared_ptr<Warehouse> wh, std::shared_ptr<Schedule> s, std::shared_ptr<pl::Plan> p,
         const pyb::object& options) {
        const pl::RunOptions o = pyb::isinstance<pyb::dict>(options) ? run_options_from(options.cast<pyb::dict>())
                                                                     : options.cast<pl::RunOptions>();
        if (o.workers < 1) throw ConfigError("RunOptions.workers must be at least 1, got " + std::to_string(o.workers));
        auto h = std::make_unique<PyRunHandle>();
        h->warehouse = wh;
        h->schedule = s;
        h->plan = p;
        {
          pyb::gil_scoped_release release;
          h->handle = pl::start_run(*wh, *s, *p, o);
        }
        return h;
      },
      pyb::arg("warehouse"), pyb::arg("schedule"), pyb::arg("plan"), pyb::arg("options"),
      "Start a run in its own thread; options is a RunOptions or a dict of its "
      "fields.");
}

/// Whether a warehouse is writable; checkpoint status and reset.
void bind_checkpoints(pyb::module_& m) {
  m.def(
      "require_writable", [](std::shared_ptr<Warehouse> wh) { pl::require_writable(*wh); }, pyb::arg("warehouse"),
      "Raise ConfigError naming the warehouse when a backfill could not write it (read-only).");
  m.def("checkpoint_status", [](const std::string& dir, const std::string& job, int32_t start, int32_t end) {
    std::string status;
    {
      pyb::gil_scoped_release release;
      status = pl::Checkpoint::status_of(dir, job, DateRange{Date(start), Date(end)});
    }
    return text(status);
  });
  m.def("checkpoint_reset", [](const std::string& dir, const std::string& job, int32_t start, int32_t end) {
    pyb::gil_scoped_release release;
    return pl::Checkpoint::reset(dir, job, DateRange{Date(start), Date(end)});
  });
}

/// Coverage and freshness reports.
void bind_reports(pyb::module_& m) {
  pyb::class_<pl::CoverageReport, std::shared_ptr<pl::CoverageReport>>(m, "NativeCoverageReport")
      .def("to_text", [](const pl::CoverageReport& r) { return text(r.to_text()); })
      .def("cells", [](const pl::CoverageReport& r) {
        pyb::list out;
        for (const auto& c : r.cells)
          out.append(pyb::make_tuple(c.table, c.date.days(), c.status, c.expected, c.found, text(c.reason)));
        return out;
      });
  m.def("coverage", [](std::shared_ptr<Warehouse> wh, std::shared_ptr<Schedule> s, int32_t start, int32_t end,
                       const std::vector<std::string>& tables) {
    pyb::gil_scoped_release release;
    return std::make_shared<pl::CoverageReport>(pl::coverage(*wh, *s, DateRange{Date(start), Date(end)}, tables));
  });

  pyb::class_<pl::FreshnessReport, std::shared_ptr<pl::FreshnessReport>>(m, "NativeFreshnessReport")
      .def("to_text", [](const pl::FreshnessReport& r) { return text(r.to_text()); })
      .def("units", [](const pl::FreshnessReport& r) {
        const auto& u = r.units;
        RecordColumns c = unit_columns(u);
        c.text("state", [&](size_t i) { return pl::to_string(u[i].state); });
        c.text("reason", [&](size_t i) { return u[i].reason; });
        c.number<int64_t>("rows", [&](size_t i) { return u[i].rows; });
        c.text("committed_at", [&](size_t i) { return u[i].committed_at; });
        return c.take();
      });
  m.def("freshness", [](std::shared_ptr<Warehouse> wh, std::shared_ptr<Schedule> s, std::shared_ptr<pl::Plan> p) {
    pyb::gil_scoped_release release;
    return std::make_shared<pl::FreshnessReport>(pl::check_freshness(*wh, *s, *p));
  });
}

}  // namespace

void bind_pipeline(pyb::module_& m) {
  bind_plan(m);
  bind_preflight(m);
  bind_results(m);
  bind_runs(m);
  bind_checkpoints(m);
  bind_reports(m);
}

}  // namespace nbaprops::py
