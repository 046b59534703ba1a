#pragma once
// Statements sent together in one pipeline (one transaction, one round trip). Each add() returns a handle;
// the result of that statement is read through it, never by its position in the pipeline, so statements
// can be added conditionally without placeholders.
#include <cstddef>
#include <utility>
#include <vector>

#include "server/pg/result.hpp"
#include "server/pg/statement.hpp"

namespace petitiond::pg {

class BatchResults;

class Batch {
 public:
  class Handle {
   public:
    Handle() = default;

   private:
    friend class Batch;
    friend class BatchResults;
    explicit Handle(std::size_t index) : index_(index) {}
    std::size_t index_ = static_cast<std::size_t>(-1);
  };

  Handle add(Statement statement) {
    statements_.push_back(std::move(statement));
    return Handle(statements_.size() - 1);
  }
  bool empty() const { return statements_.empty(); }
  std::vector<Statement> take() && { return std::move(statements_); }

 private:
  std::vector<Statement> statements_;
};

class BatchResults {
 public:
  BatchResults() = default;
  explicit BatchResults(std::vector<Result> results) : results_(std::move(results)) {}
  const Result& operator[](Batch::Handle handle) const { return results_.at(handle.index_); }

 private:
  std::vector<Result> results_;
};

}  // namespace petitiond::pg
