// ctest fixture helper: `test_cluster start DIR` initialises (if needed) and starts the shared test
// cluster; `test_cluster stop DIR` stops it. Tests find it through PETITIOND_TEST_PG_DIR.
#include <filesystem>
#include <iostream>

#include "server/pg/embedded_cluster.hpp"

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[1]) != "start" && std::string(argv[1]) != "stop")) {
    std::cerr << "usage: test_cluster start|stop DIR\n";
    return 2;
  }
  try {
    std::filesystem::create_directories(argv[2]);
    petitiond::pg::EmbeddedCluster cluster({argv[2], {}, "postgres", false});
    cluster.start();  // adopts a running server
    if (std::string(argv[1]) == "stop") {
      cluster.stop();
      std::filesystem::remove_all(argv[2]);
    } else {
      std::cout << "test cluster ready: " << cluster.url() << "\n";
      cluster.release();
    }
  } catch (const std::exception& e) {
    std::cerr << "test_cluster: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
