// The expression language: a hand-written lexer and recursive-descent parser (one function per
// grammar rule, so an error knows exactly which token it is at), constant folding, and evaluation
// with LibTorch ops.
#include "expression/expression.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>

#include "core/strings.hpp"

namespace actbench::expression {

SyntaxError::SyntaxError(size_t offset, std::string message, std::string hint)
    : std::runtime_error(message),
      offset_(offset),
      message_(std::move(message)),
      hint_(std::move(hint)) {}

enum class Op {
  Input,
  Constant,
  Parameter,
  Neg,
  Abs,
  Sqrt,
  Exp,
  Log,
  Sin,
  Cos,
  Sinh,
  Cosh,
  Tanh,
  Asinh,
  Atan,
  Sinc,
  Sigmoid,
  Softplus,
  Erf,
  Pow,
  Add,
  Sub,
  Mul,
  Div,
  Max,
  Min,
};

struct Node {
  Op op = Op::Constant;
  double value = 0.0;  // Constant: the number; Pow: the exponent
  size_t slot = 0;     // Parameter: index into Expression::parameters()
  std::vector<std::shared_ptr<const Node>> args;
};

using NodePtr = std::shared_ptr<const Node>;

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Function {
  const char* name;
  Op op;
  size_t arity;
};

// The building blocks of Ramachandran et al. 2017 that need a name (the rest are operators).
constexpr Function kFunctions[] = {
    {"abs", Op::Abs, 1},         {"sqrt", Op::Sqrt, 1},         {"exp", Op::Exp, 1},
    {"log", Op::Log, 1},         {"sin", Op::Sin, 1},           {"cos", Op::Cos, 1},
    {"sinh", Op::Sinh, 1},       {"cosh", Op::Cosh, 1},         {"tanh", Op::Tanh, 1},
    {"asinh", Op::Asinh, 1},     {"atan", Op::Atan, 1},         {"sinc", Op::Sinc, 1},
    {"sigmoid", Op::Sigmoid, 1}, {"softplus", Op::Softplus, 1}, {"erf", Op::Erf, 1},
    {"max", Op::Max, 2},         {"min", Op::Min, 2},
};

const Function* find_function(const std::string& name) {
  for (const auto& f : kFunctions)
    if (name == f.name) return &f;
  return nullptr;
}

NodePtr make(Op op, std::vector<NodePtr> args = {}, double value = 0.0, size_t slot = 0) {
  auto node = std::make_shared<Node>();
  node->op = op;
  node->value = value;
  node->slot = slot;
  node->args = std::move(args);
  return node;
}

// ---- Lexer -------------------------------------------------------------------------------------

struct Token {
  enum class Kind { Number, Identifier, Symbol, End };
  Kind kind = Kind::End;
  std::string text;  // as written
  double number = 0.0;
  size_t offset = 0;
};

std::vector<Token> tokenize(const std::string& text) {
  std::vector<Token> tokens;
  size_t i = 0;
  const auto digit = [&](size_t k) {
    return k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]));
  };
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token token;
    token.offset = i;
    if (digit(i) || (c == '.' && digit(i + 1))) {
      size_t end = i;
      while (digit(end)) ++end;
      if (end < text.size() && text[end] == '.') {
        ++end;
        while (digit(end)) ++end;
      }
      // An exponent only when digits follow, so that `2e` stays a number and a name.
      if (end < text.size() && (text[end] == 'e' || text[end] == 'E')) {
        size_t k = end + 1;
        if (k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
        if (digit(k)) {
          end = k;
          while (digit(end)) ++end;
        }
      }
      token.kind = Token::Kind::Number;
      token.text = text.substr(i, end - i);
      token.number = std::strtod(token.text.c_str(), nullptr);
      if (!std::isfinite(token.number)) {
        throw SyntaxError(i, fmt::format("the number {} is too large", token.text));
      }
      i = end;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t end = i;
      while (end < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
        ++end;
      token.kind = Token::Kind::Identifier;
      token.text = text.substr(i, end - i);
      i = end;
    } else if (std::string_view("+-*/^(),|").find(c) != std::string_view::npos) {
      token.kind = Token::Kind::Symbol;
      token.text = std::string(1, c);
      ++i;
    } else {
      const bool printable = static_cast<unsigned char>(c) >= 0x20 && c != 0x7f &&
                             static_cast<unsigned char>(c) < 0x80;
      throw SyntaxError(
          i,
          printable ? fmt::format("unexpected character '{}'", c)
                    : fmt::format("unexpected byte 0x{:02x}", static_cast<unsigned char>(c)),
          "expressions use numbers, x, parameter names, functions, + - * / ^, parentheses and "
          "|...|");
    }
    tokens.push_back(token);
  }
  Token end;
  end.offset = text.size();
  tokens.push_back(end);
  return tokens;
}

// ---- Parser ------------------------------------------------------------------------------------

const char* kOperandHint =
    "expected a value: a number, x, a parameter name, a function call like sigmoid(x), "
    "'(' or '|'";

class Parser {
 public:
  explicit Parser(const std::string& text) : tokens_(tokenize(text)) {}

  NodePtr parse_all() {
    if (peek().kind == Token::Kind::End) throw SyntaxError(0, "the expression is empty");
    NodePtr root = parse_expr();
    const Token& t = peek();
    if (t.kind != Token::Kind::End) {
      if (is(t, ")")) throw SyntaxError(t.offset, "unexpected ')': no '(' is open");
      if (is(t, "|")) throw SyntaxError(t.offset, "unexpected '|': no '|' is open");
      if (is(t, ",")) {
        throw SyntaxError(t.offset, "unexpected ','",
                          "commas only separate the arguments of max(a, b) and min(a, b)");
      }
      throw missing_operator(t);
    }
    return root;
  }

  std::vector<Parameter> parameters;
  bool uses_input = false;

 private:
  // Every node is made here, counted against kMaxNodes; `offset` is the token it comes from.
  NodePtr node(size_t offset, Op op, std::vector<NodePtr> args = {}, double value = 0.0,
               size_t slot = 0) {
    if (++nodes_ > kMaxNodes) {
      throw SyntaxError(offset, fmt::format("the expression has more than {} nodes", kMaxNodes),
                        "each number, x, parameter, operator and function call is a node; an "
                        "activation needs far fewer");
    }
    return make(op, std::move(args), value, slot);
  }

  // One level of nesting ('(', '|', a call or a unary '-') for the scope of a parse function: the
  // parser recurses once per level, so the levels must be bounded before the stack is.
  class Nesting {
   public:
    Nesting(Parser& parser, size_t offset) : parser_(parser) {
      if (++parser_.depth_ > kMaxNesting) {
        throw SyntaxError(offset,
                          fmt::format("the expression is nested more than {} deep", kMaxNesting),
                          "parentheses, |...|, function calls and unary '-' each open a level");
      }
    }
    ~Nesting() { --parser_.depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& parser_;
  };

  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_++]; }
  static bool is(const Token& t, const char* symbol) {
    return t.kind == Token::Kind::Symbol && t.text == symbol;
  }

  static SyntaxError missing_operator(const Token& t) {
    return SyntaxError(t.offset,
                       fmt::format("unexpected '{}': an operator is missing before it", t.text),
                       "there is no implicit multiplication: write 2 * x, not 2x");
  }

  // expr := term (('+' | '-') term)*
  NodePtr parse_expr() {
    NodePtr left = parse_term();
    while (is(peek(), "+") || is(peek(), "-")) {
      const Token& op = next();
      NodePtr right = parse_term();
      left =
          node(op.offset, op.text == "+" ? Op::Add : Op::Sub, {std::move(left), std::move(right)});
    }
    return left;
  }

  // term := unary (('*' | '/') unary)*
  NodePtr parse_term() {
    NodePtr left = parse_unary();
    while (is(peek(), "*") || is(peek(), "/")) {
      const Token& op = next();
      NodePtr right = parse_unary();
      left =
          node(op.offset, op.text == "*" ? Op::Mul : Op::Div, {std::move(left), std::move(right)});
    }
    return left;
  }

  // unary := '-' unary | power
  NodePtr parse_unary() {
    if (is(peek(), "-")) {
      const Token& minus = next();
      const Nesting level(*this, minus.offset);
      NodePtr operand = parse_unary();
      return node(minus.offset, Op::Neg, {std::move(operand)});
    }
    return parse_power();
  }

  // power := primary ['^' ['-'] number]
  NodePtr parse_power() {
    NodePtr base = parse_primary();
    if (!is(peek(), "^")) return base;
    const Token& caret = next();
    double sign = 1.0;
    if (is(peek(), "-")) {
      next();
      sign = -1.0;
    }
    const Token& exponent = peek();
    if (exponent.kind != Token::Kind::Number) {
      throw SyntaxError(exponent.kind == Token::Kind::End ? caret.offset : exponent.offset,
                        "the exponent after '^' must be a number, like x^2, x^0.5 or x^-1",
                        "for a parameter as exponent write exp(p * log(x)), guarded like log");
    }
    next();
    if (is(peek(), "^")) {
      throw SyntaxError(peek().offset, "'^' does not chain",
                        "write (a^2)^3 or a^6 with parentheses to say which is meant");
    }
    return node(caret.offset, Op::Pow, {std::move(base)}, sign * exponent.number);
  }

  NodePtr parse_primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Token::Kind::End: {
        if (pos_ == 0) throw SyntaxError(0, "the expression is empty");
        const Token& before = tokens_[pos_ - 1];
        throw SyntaxError(
            before.offset,
            fmt::format("the expression ends after '{}', where a value is expected", before.text),
            kOperandHint);
      }
      case Token::Kind::Number:
        next();
        return node(t.offset, Op::Constant, {}, t.number);
      case Token::Kind::Identifier:
        return parse_name();
      case Token::Kind::Symbol:
        break;
    }
    if (is(t, "(")) {
      next();
      const Nesting level(*this, t.offset);
      NodePtr inner = parse_expr();
      expect_close(t, ")");
      return inner;
    }
    if (is(t, "|")) {
      next();
      const Nesting level(*this, t.offset);
      NodePtr inner = parse_expr();
      expect_close(t, "|");
      return node(t.offset, Op::Abs, {std::move(inner)});
    }
    if (is(t, "*") && pos_ > 0 && is(tokens_[pos_ - 1], "*") &&
        tokens_[pos_ - 1].offset + 1 == t.offset) {
      throw SyntaxError(t.offset, "unexpected '*'", "write powers as x^2, not x**2");
    }
    if (is(t, ")")) {
      throw SyntaxError(t.offset, "unexpected ')' where a value is expected", kOperandHint);
    }
    throw SyntaxError(t.offset, fmt::format("unexpected '{}' where a value is expected", t.text),
                      kOperandHint);
  }

  // After the inside of '(' or '|': the matching closer, else an error at the opener when the text
  // ends (the opener is what is unbalanced) or at whatever stands where the closer should.
  void expect_close(const Token& opener, const char* closer) {
    const Token& t = peek();
    if (is(t, closer)) {
      next();
      return;
    }
    if (t.kind == Token::Kind::End) {
      throw SyntaxError(opener.offset, fmt::format("'{}' is never closed: a '{}' is missing",
                                                   opener.text, closer));
    }
    if (is(t, ")") || is(t, "|") || is(t, ",")) {
      throw SyntaxError(t.offset,
                        fmt::format("unexpected '{}': the '{}' at column {} is still open", t.text,
                                    opener.text, opener.offset + 1));
    }
    throw missing_operator(t);
  }

  NodePtr parse_name() {
    const Token& name = next();
    const bool call = is(peek(), "(");
    const Function* function = find_function(name.text);
    if (!call) {
      if (function != nullptr) {
        throw SyntaxError(name.offset, fmt::format("'{}' is a function", name.text),
                          fmt::format("call it: {}(x)", name.text));
      }
      if (name.text == kInput) {
        uses_input = true;
        return node(name.offset, Op::Input);
      }
      return node(name.offset, Op::Parameter, {}, 0.0, slot_of(name));
    }
    if (function == nullptr) {
      if (name.text == kInput) {
        throw SyntaxError(name.offset, "x is the input, not a function",
                          "for a product write x * (...)");
      }
      const std::string suggestion = core::did_you_mean(name.text, function_names());
      throw SyntaxError(
          name.offset, fmt::format("unknown function '{}'{}", name.text, suggestion),
          "functions: " + core::join(function_names()) +
              (suggestion.empty() ? "; for a product write " + name.text + " * (...)" : ""));
    }
    const Token& open = next();
    const Nesting level(*this, name.offset);
    std::vector<NodePtr> args;
    while (true) {
      if (is(peek(), ")") && args.empty()) break;  // f(): reported as a wrong count below
      args.push_back(parse_expr());
      if (!is(peek(), ",")) break;
      next();
    }
    expect_close(open, ")");
    if (args.size() != function->arity) {
      throw SyntaxError(name.offset,
                        fmt::format("{} takes {} argument{}, got {}", name.text, function->arity,
                                    function->arity == 1 ? "" : "s", args.size()),
                        function->arity == 1 ? fmt::format("write {}(x)", name.text)
                                             : fmt::format("write {}(x, 0)", name.text));
    }
    return node(name.offset, function->op, std::move(args));
  }

  size_t slot_of(const Token& name) {
    for (size_t i = 0; i < parameters.size(); ++i)
      if (parameters[i].name == name.text) return i;
    parameters.push_back({name.text, name.offset});
    return parameters.size() - 1;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t nodes_ = 0;
  size_t depth_ = 0;
};

// ---- Evaluation --------------------------------------------------------------------------------

// A value during evaluation: a tensor, or a number not yet broadcast (a constant, which the
// tensor ops take as a Scalar on any device and dtype).
struct Value {
  torch::Tensor tensor;
  double number = 0.0;
  bool is_number() const { return !tensor.defined(); }
};

// The division guard on one number and on a tensor; both keep the sign, 0 counting as positive.
double guard(double b) { return b >= 0.0 ? std::max(b, kDivisionEps) : std::min(b, -kDivisionEps); }
torch::Tensor guard(const torch::Tensor& b) {
  return torch::where(b >= 0, b.clamp_min(kDivisionEps), b.clamp_max(-kDivisionEps));
}

torch::Tensor unary(Op op, const torch::Tensor& u, double exponent) {
  switch (op) {
    case Op::Neg:
      return -u;
    case Op::Abs:
      return torch::abs(u);
    case Op::Sqrt:
      return torch::sqrt(u);
    case Op::Exp:
      return torch::exp(u);
    case Op::Log:
      return torch::log(torch::abs(u) + kLogEps);
    case Op::Sin:
      return torch::sin(u);
    case Op::Cos:
      return torch::cos(u);
    case Op::Sinh:
      return torch::sinh(u);
    case Op::Cosh:
      return torch::cosh(u);
    case Op::Tanh:
      return torch::tanh(u);
    case Op::Asinh:
      return torch::asinh(u);
    case Op::Atan:
      return torch::atan(u);
    case Op::Sinc:
      // torch::sinc is sin(pi u)/(pi u), with the limits at 0 (value 1, derivative 0) built in.
      return torch::sinc(u / kPi);
    case Op::Sigmoid:
      return torch::sigmoid(u);
    case Op::Softplus:
      return torch::softplus(u);
    case Op::Erf:
      return torch::erf(u);
    case Op::Pow:
      return torch::pow(u, exponent);
    default:
      break;
  }
  throw std::logic_error("expression: not a unary op");
}

torch::Tensor binary(Op op, const torch::Tensor& a, const torch::Tensor& b) {
  switch (op) {
    case Op::Add:
      return a + b;
    case Op::Sub:
      return a - b;
    case Op::Mul:
      return a * b;
    case Op::Div:
      return a / guard(b);
    case Op::Max:
      return torch::maximum(a, b);
    case Op::Min:
      return torch::minimum(a, b);
    default:
      break;
  }
  throw std::logic_error("expression: not a binary op");
}

// A tensor with a number: Scalar overloads, which need no tensor for the constant. max and min
// against a number take the tensor only where it is strictly beyond the number, so max(x, 0) is
// relu, gradient 0 at 0 included.
torch::Tensor binary(Op op, const torch::Tensor& a, double b) {
  switch (op) {
    case Op::Add:
      return a + b;
    case Op::Sub:
      return a - b;
    case Op::Mul:
      return a * b;
    case Op::Div:
      return a / guard(b);
    case Op::Max:
      return torch::where(a > b, a, b);
    case Op::Min:
      return torch::where(a < b, a, b);
    default:
      break;
  }
  throw std::logic_error("expression: not a binary op");
}

torch::Tensor binary(Op op, double a, const torch::Tensor& b) {
  switch (op) {
    case Op::Add:
    case Op::Mul:
    case Op::Max:
    case Op::Min:
      return binary(op, b, a);  // symmetric
    case Op::Sub:
      return torch::rsub(b, a);
    case Op::Div:
      return guard(b).reciprocal() * a;
    default:
      break;
  }
  throw std::logic_error("expression: not a binary op");
}

// Numbers are computed with the same tensor code, in float64, so that folding a constant gives
// exactly what evaluating it would.
double number_of(const torch::Tensor& t) { return t.item<double>(); }
torch::Tensor tensor_of(double v) { return torch::scalar_tensor(v, torch::kFloat64); }

Value apply_op(const Node& node, const std::vector<Value>& args) {
  if (args.size() == 1) {
    const Value& u = args[0];
    if (u.is_number()) return {{}, number_of(unary(node.op, tensor_of(u.number), node.value))};
    return {unary(node.op, u.tensor, node.value)};
  }
  const Value& a = args[0];
  const Value& b = args[1];
  if (a.is_number() && b.is_number())
    return {{}, number_of(binary(node.op, tensor_of(a.number), tensor_of(b.number)))};
  if (a.is_number()) return {binary(node.op, a.number, b.tensor)};
  if (b.is_number()) return {binary(node.op, a.tensor, b.number)};
  return {binary(node.op, a.tensor, b.tensor)};
}

Value evaluate(const Node& node, const torch::Tensor& x, const std::vector<torch::Tensor>& params) {
  switch (node.op) {
    case Op::Input:
      return {x};
    case Op::Constant:
      return {{}, node.value};
    case Op::Parameter:
      return {params.at(node.slot)};
    default:
      break;
  }
  std::vector<Value> args;
  args.reserve(node.args.size());
  for (const auto& arg : node.args) args.push_back(evaluate(*arg, x, params));
  return apply_op(node, args);
}

// Replaces bound parameters by constants, renumbers the others, and folds constant subtrees.
NodePtr fold(const NodePtr& node, const std::vector<std::optional<double>>& bound,
             const std::vector<size_t>& new_slot) {
  switch (node->op) {
    case Op::Input:
    case Op::Constant:
      return node;
    case Op::Parameter:
      if (bound[node->slot]) return make(Op::Constant, {}, *bound[node->slot]);
      return make(Op::Parameter, {}, 0.0, new_slot[node->slot]);
    default:
      break;
  }
  std::vector<NodePtr> args;
  bool constant = true;
  for (const auto& arg : node->args) {
    args.push_back(fold(arg, bound, new_slot));
    constant = constant && args.back()->op == Op::Constant;
  }
  if (constant) {
    std::vector<Value> values;
    for (const auto& arg : args) values.push_back({{}, arg->value});
    torch::NoGradGuard no_grad;
    return make(Op::Constant, {}, apply_op(*node, values).number);
  }
  return make(node->op, std::move(args), node->value);
}

}  // namespace

const std::vector<std::string>& function_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& f : kFunctions) out.emplace_back(f.name);
    return out;
  }();
  return names;
}

Expression Expression::parse(const std::string& text) {
  // Before tokenising: a text of megabytes would otherwise cost a token vector of its size first.
  if (text.size() > kMaxTextLength) {
    throw SyntaxError(kMaxTextLength,
                      fmt::format("the expression is {} characters long, more than the {} allowed",
                                  text.size(), kMaxTextLength),
                      "an activation needs far fewer; write it in terms of the functions");
  }
  Parser parser(text);
  Expression e;
  e.root_ = parser.parse_all();
  if (!parser.uses_input) {
    throw SyntaxError(0, "the expression does not use the input x",
                      "an activation is a function of x, e.g. x * sigmoid(beta * x)");
  }
  e.text_ = text;
  e.parameters_ = std::move(parser.parameters);
  return e;
}

bool Expression::uses(const std::string& parameter) const {
  for (const auto& p : parameters_)
    if (p.name == parameter) return true;
  return false;
}

Expression Expression::bind(const std::map<std::string, double>& values) const {
  std::vector<std::optional<double>> bound(parameters_.size());
  std::vector<size_t> new_slot(parameters_.size());
  Expression out;
  out.text_ = text_;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    auto it = values.find(parameters_[i].name);
    if (it != values.end()) {
      bound[i] = it->second;
    } else {
      new_slot[i] = out.parameters_.size();
      out.parameters_.push_back(parameters_[i]);
    }
  }
  out.root_ = fold(root_, bound, new_slot);
  return out;
}

torch::Tensor Expression::operator()(const torch::Tensor& x,
                                     const std::vector<torch::Tensor>& parameters) const {
  if (parameters.size() != parameters_.size()) {
    throw std::invalid_argument(
        fmt::format("expression '{}' has {} unbound parameters, got {} "
                    "tensors",
                    text_, parameters_.size(), parameters.size()));
  }
  Value result = evaluate(*root_, x, parameters);
  // Unreachable for a parsed expression (it uses x, which never folds), kept for safety.
  if (result.is_number()) return torch::full_like(x, result.number);
  return result.tensor;
}

}  // namespace actbench::expression
