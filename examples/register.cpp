/*
 * register_cpp: create a Matrix account through mxreg from C++17.
 *
 *   register_cpp <homeserver-url> <username> <password>
 *
 * The same program as examples/register.c, written the C++ way: every handle
 * is owned by a std::unique_ptr whose deleter is mxreg's free function, one
 * check() turns a failed call into an exception (and frees the native error),
 * and the UIA loop reads the server's flows through small helpers. Prints one
 * JSON object with the user ID, device ID, token lifetime and whether a
 * refresh token came back (never the tokens); on failure prints the result
 * code, errcode and message to stderr and exits 1.
 */
#include <cstdint>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "mxreg.h"

namespace mxreg {

// A deleter that calls mxreg's free function for the handle type.
template <auto Free>
struct Deleter {
  template <typename Handle>
  void operator()(Handle *handle) const noexcept {
    Free(handle);
  }
};

// Owning handles: each frees itself once, on every path out of its scope.
using Client = std::unique_ptr<const mxreg_client, Deleter<mxreg_client_free>>;
using Registration = std::unique_ptr<mxreg_registration, Deleter<mxreg_registration_free>>;
using Error = std::unique_ptr<mxreg_error, Deleter<mxreg_error_free>>;

// A failed call: the result code plus what the server said, copied out of
// the native error so that the exception outlives it.
class Failure : public std::runtime_error {
 public:
  Failure(const std::string &what, mxreg_result code, const mxreg_error *error)
      : std::runtime_error(what + " failed: " + describe(code, error)),
        code_(code),
        errcode_(text(mxreg_error_errcode(error))) {}

  mxreg_result code() const noexcept { return code_; }
  const std::string &errcode() const noexcept { return errcode_; }

 private:
  static std::string text(const char *borrowed) { return borrowed != nullptr ? borrowed : ""; }

  static std::string describe(mxreg_result code, const mxreg_error *error) {
    std::string out = std::string(mxreg_result_name(code)) + " (" + std::to_string(static_cast<unsigned>(code)) + ")";
    if (const char *errcode = mxreg_error_errcode(error)) {
      out += std::string(" ") + errcode;
    }
    const char *message = error != nullptr ? mxreg_error_message(error) : mxreg_result_describe(code);
    return out + ": " + text(message);
  }

  mxreg_result code_;
  std::string errcode_;
};

// Throws for anything but MXREG_RESULT_OK; `error` stays owned by the caller.
void check(mxreg_result code, const Error &error, const std::string &what) {
  if (code != MXREG_RESULT_OK) {
    throw Failure(what, code, error.get());
  }
}

// The library must implement the ABI this program was compiled against.
void require_compatible_library() {
  if (mxreg_abi_version() != MXREG_ABI_VERSION) {
    throw std::runtime_error("libmxreg " + std::string(mxreg_version()) + " has ABI " +
                             std::to_string(mxreg_abi_version()) + ", this program needs " +
                             std::to_string(MXREG_ABI_VERSION));
  }
}

Client connect(const std::string &homeserver_url) {
  const mxreg_client *client = nullptr;
  mxreg_error *raw_error = nullptr;
  const mxreg_result code = mxreg_client_new(homeserver_url.c_str(), nullptr, &client, &raw_error);
  Error error(raw_error);
  check(code, error, "client");
  return Client(client);
}

// One POST /register: the account, or the AUTH_REQUIRED error whose auth
// info says what to complete next. Any other failure throws.
struct Attempt {
  Registration registration;
  Error auth_required;
};

Attempt register_once(const Client &client, const mxreg_register_request &request) {
  mxreg_registration *registration = nullptr;
  mxreg_error *raw_error = nullptr;
  const mxreg_result code = mxreg_client_register(client.get(), &request, &registration, &raw_error);
  Error error(raw_error);
  if (code == MXREG_RESULT_AUTH_REQUIRED) {
    return {nullptr, std::move(error)};
  }
  check(code, error, "registration");
  return {Registration(registration), nullptr};
}

bool completed(const mxreg_auth_info *info, std::string_view stage) {
  for (size_t i = 0; i < mxreg_auth_info_completed_count(info); i++) {
    if (stage == mxreg_auth_info_completed(info, i)) {
      return true;
    }
  }
  return false;
}

// Whether the server offers a flow whose remaining stages are all
// m.login.dummy, the only stage this example completes.
bool dummy_flow_offered(const mxreg_auth_info *info) {
  for (size_t flow = 0; flow < mxreg_auth_info_flow_count(info); flow++) {
    bool usable = true;
    for (size_t stage = 0; stage < mxreg_auth_info_flow_stage_count(info, flow); stage++) {
      const std::string_view type = mxreg_auth_info_flow_stage(info, flow, stage);
      usable = usable && (type == "m.login.dummy" || completed(info, type));
    }
    if (usable) {
      return true;
    }
  }
  return false;
}

}  // namespace mxreg

namespace {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

std::string json_string_or_null(const char *text) {
  return text != nullptr ? json_string(text) : "null";
}

mxreg::Registration register_account(const std::string &homeserver_url, const std::string &username,
                                     const std::string &password) {
  mxreg::require_compatible_library();
  const mxreg::Client client = mxreg::connect(homeserver_url);

  mxreg_register_request request;
  mxreg_register_request_init(&request);
  request.username = username.c_str();
  request.password = password.c_str();
  request.initial_device_display_name = "mxreg C++ example";

  // The first request usually answers with the flows; a dummy stage
  // completes the simplest one. Three attempts are more than enough.
  std::string auth_json;
  for (int attempt = 0; attempt < 3; attempt++) {
    mxreg::Attempt result = mxreg::register_once(client, request);
    if (result.registration) {
      return std::move(result.registration);
    }
    const mxreg_auth_info *info = mxreg_error_auth_info(result.auth_required.get());
    const char *session = mxreg_auth_info_session(info);
    if (session == nullptr || !mxreg::dummy_flow_offered(info)) {
      throw mxreg::Failure("registration (the server needs stages this example does not handle)",
                           MXREG_RESULT_AUTH_REQUIRED, result.auth_required.get());
    }
    auth_json = "{\"type\":\"m.login.dummy\",\"session\":" + json_string(session) + "}";
    request.auth_json = auth_json.c_str();
  }
  throw std::runtime_error("registration did not finish within three attempts");
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 4) {
    std::cerr << "usage: " << argv[0] << " <homeserver-url> <username> <password>\n";
    return 2;
  }
  try {
    const mxreg::Registration registration = register_account(argv[1], argv[2], argv[3]);
    const std::int64_t expires_in_ms = mxreg_registration_expires_in_ms(registration.get());
    std::cout << "{\"user_id\":" << json_string(mxreg_registration_user_id(registration.get()))
              << ",\"device_id\":"
              << json_string_or_null(mxreg_registration_device_id(registration.get()))
              << ",\"expires_in_ms\":"
              << (expires_in_ms >= 0 ? std::to_string(expires_in_ms) : "null")
              << ",\"refresh_token\":"
              << (mxreg_registration_refresh_token(registration.get()) != nullptr ? "true" : "false")
              << "}\n";
    return 0;
  } catch (const std::exception &failure) {
    std::cerr << "register_cpp: " << failure.what() << "\n";
    return 1;
  }
}
