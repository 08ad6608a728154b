// Plans, pre-flight, the asynchronous runner handle, checkpoints and coverage.
// The runner executes in its own thread; Python polls events with the GIL released and never runs
// inside a TBB task.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/pipeline/checkpoint.hpp"
#include "nbaprops/pipeline/coverage.hpp"
#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/pipeline/preflight.hpp"
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

pyb::dict event_dict(const pl::UnitEvent& e) {
  pyb::dict d;
  d["processor"] = e.processor;
  d["date"] = e.date.iso();
  d["status"] = pl::to_string(e.status);
  d["rows"] = e.rows;
  d["seconds"] = e.seconds;
  d["reason"] = e.reason;
  d["entities"] = e.entities;
  return d;
}

}  // namespace

void bind_pipeline(pyb::module_& m) {
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
      .def("units",
           [](const pl::Plan& p) {
             pyb::list out;
             for (const auto& u : p.units) {
               pyb::dict d;
               d["processor"] = u.processor->info().name;
               d["date"] = u.date.days();
               d["planned"] = pl::to_string(u.planned);
               d["reason"] = u.reason;
               out.append(d);
             }
             return out;
           })
      .def("to_text", &pl::Plan::to_text);

  m.def(
      "make_plan",
      [](std::shared_ptr<Warehouse> wh, std::shared_ptr<Schedule> s, std::optional<int32_t> start,
         std::optional<int32_t> end, const std::vector<int32_t>& dates, const std::vector<std::string>& procs) {
        pl::PlanOptions o;
        if (start || end) o.range = DateRange{Date(start.value_or(end.value_or(0))), Date(end.value_or(start.value_or(0)))};
        for (int32_t d : dates) o.dates.push_back(Date(d));
        o.processors = procs;
        if (o.range && o.range->end < o.range->start) {
          throw ConfigError("--end-date " + o.range->end.iso() + " is before --start-date " + o.range->start.iso());
        }
        pyb::gil_scoped_release release;
        return std::make_shared<pl::Plan>(pl::make_plan(*s, o));
      });

  pyb::class_<pl::PreflightReport, std::shared_ptr<pl::PreflightReport>>(m, "NativePreflightReport")
      .def("ok", &pl::PreflightReport::ok)
      .def("to_text", &pl::PreflightReport::to_text)
      .def("cells", [](const pl::PreflightReport& r) {
        pyb::list out;
        for (const auto& c : r.cells) out.append(pyb::make_tuple(c.table, c.date.days(), c.status, c.expected, c.found));
        return out;
      });
  m.def("preflight", [](std::shared_ptr<Warehouse> wh, std::shared_ptr<Schedule> s, std::shared_ptr<pl::Plan> p) {
    pyb::gil_scoped_release release;
    return std::make_shared<pl::PreflightReport>(pl::preflight(*wh, *s, *p));
  });

  pyb::class_<pl::RunResult, std::shared_ptr<pl::RunResult>>(m, "NativeRunResult")
      .def("exit_code", &pl::RunResult::exit_code)
      .def_readonly("cancelled", &pl::RunResult::cancelled)
      .def_readonly("seconds", &pl::RunResult::seconds)
      .def("summary_text", &pl::RunResult::summary_text)
      .def("units", [](const pl::RunResult& r) {
        pyb::list out;
        for (const auto& u : r.units) {
          pyb::dict d;
          d["processor"] = u.processor->info().name;
          d["date"] = u.date.days();
          d["status"] = pl::to_string(u.status);
          d["rows"] = u.rows;
          d["entities"] = u.entities;
          d["attempts"] = u.attempts;
          d["seconds"] = u.seconds;
          d["read_seconds"] = u.read_seconds;
          d["write_seconds"] = u.write_seconds;
          d["reason"] = u.reason;
          d["start_seq"] = u.start_seq;
          d["end_seq"] = u.end_seq;
          out.append(d);
        }
        return out;
      });

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

  m.def("start_run", [](std::shared_ptr<Warehouse> wh, std::shared_ptr<Schedule> s, std::shared_ptr<pl::Plan> p,
                        int workers, bool stop_on_failure, bool resume, int max_retries, double retry_base,
                        const std::string& checkpoint_dir, const std::string& run_id, bool cache_reads) {
    pl::RunOptions o;
    o.workers = workers;
    o.stop_on_failure = stop_on_failure;
    o.resume = resume;
    o.max_retries = max_retries;
    o.retry_base_seconds = retry_base;
    o.checkpoint_dir = checkpoint_dir;
    o.run_id = run_id;
    o.cache_reads = cache_reads;
    auto h = std::make_unique<PyRunHandle>();
    h->warehouse = wh;
    h->schedule = s;
    h->plan = p;
    {
      pyb::gil_scoped_release release;
      h->handle = pl::start_run(*wh, *s, *p, o);
    }
    return h;
  });

  m.def("checkpoint_status", [](const std::string& dir, const std::string& job, int32_t start, int32_t end) {
    pyb::gil_scoped_release release;
    return pl::Checkpoint::status_of(dir, job, DateRange{Date(start), Date(end)});
  });
  m.def("checkpoint_reset", [](const std::string& dir, const std::string& job, int32_t start, int32_t end) {
    pyb::gil_scoped_release release;
    return pl::Checkpoint::reset(dir, job, DateRange{Date(start), Date(end)});
  });

  pyb::class_<pl::CoverageReport, std::shared_ptr<pl::CoverageReport>>(m, "NativeCoverageReport")
      .def("to_text", &pl::CoverageReport::to_text)
      .def("cells", [](const pl::CoverageReport& r) {
        pyb::list out;
        for (const auto& c : r.cells) out.append(pyb::make_tuple(c.table, c.date.days(), c.status, c.expected, c.found));
        return out;
      });
  m.def("coverage", [](std::shared_ptr<Warehouse> wh, std::shared_ptr<Schedule> s, int32_t start, int32_t end,
                       const std::vector<std::string>& tables) {
    pyb::gil_scoped_release release;
    return std::make_shared<pl::CoverageReport>(pl::coverage(*wh, *s, DateRange{Date(start), Date(end)}, tables));
  });
}

}  // namespace nbaprops::py
