/*
 * fediflow-mock-broker: a Kafka-protocol cluster on loopback for local runs and tests,
 * built on librdkafka's mock cluster (Apache Kafka cannot be installed on these machines).
 *
 *   fediflow-mock-broker [--brokers N] [--topic NAME:PARTITIONS]...
 *
 * Prints the bootstrap servers on the first line of stdout, then serves until SIGINT/SIGTERM.
 * Commands on stdin, one per line, answered "ok ..." or "error ..." on stdout:
 *   down ID     take broker ID (1..N) down: connections dropped, new ones refused
 *   up ID       bring it back
 *   rtt ID MS   add MS milliseconds of round-trip time to broker ID
 */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TOPICS 64

static volatile sig_atomic_t stopping = 0;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static void usage(void) {
  fprintf(stderr, "usage: fediflow-mock-broker [--brokers N] [--topic NAME:PARTITIONS]...\n");
  exit(2);
}

static void handle_command(rd_kafka_mock_cluster_t *cluster, int brokers, char *line) {
  char verb[16];
  int id = 0, ms = 0;
  int fields = sscanf(line, "%15s %d %d", verb, &id, &ms);
  if (fields < 2 || id < 1 || id > brokers) {
    printf("error unknown command or broker: %s", line);
  } else if (strcmp(verb, "down") == 0) {
    rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_down(cluster, id);
    printf(err ? "error down %d: %s\n" : "ok down %d%s\n", id, err ? rd_kafka_err2str(err) : "");
  } else if (strcmp(verb, "up") == 0) {
    rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_up(cluster, id);
    printf(err ? "error up %d: %s\n" : "ok up %d%s\n", id, err ? rd_kafka_err2str(err) : "");
  } else if (strcmp(verb, "rtt") == 0 && fields == 3) {
    rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_rtt(cluster, id, ms);
    printf(err ? "error rtt %d: %s\n" : "ok rtt %d%s\n", id, err ? rd_kafka_err2str(err) : "");
  } else {
    printf("error unknown command: %s", line);
  }
  fflush(stdout);
}

int main(int argc, char **argv) {
  int brokers = 3;
  const char *topic_names[MAX_TOPICS];
  int topic_partitions[MAX_TOPICS];
  int topic_count = 0;

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) {
      brokers = atoi(argv[++i]);
      if (brokers < 1 || brokers > 16) usage();
    } else if (strcmp(argv[i], "--topic") == 0 && i + 1 < argc && topic_count < MAX_TOPICS) {
      char *spec = argv[++i];
      char *colon = strrchr(spec, ':');
      if (!colon) usage();
      *colon = '\0';
      topic_names[topic_count] = spec;
      topic_partitions[topic_count] = atoi(colon + 1);
      if (topic_partitions[topic_count] < 1) usage();
      topic_count++;
    } else {
      usage();
    }
  }

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The handle only hosts the mock cluster and has no bootstrap servers of its own. */
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "fediflow-mock-broker: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster) {
    fprintf(stderr, "fediflow-mock-broker: could not start the mock cluster\n");
    return 1;
  }
  int replication = brokers < 3 ? brokers : 3;
  for (int t = 0; t < topic_count; t++) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, topic_names[t], topic_partitions[t], replication);
    if (err) {
      fprintf(stderr, "fediflow-mock-broker: topic %s: %s\n", topic_names[t], rd_kafka_err2str(err));
      return 1;
    }
  }

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);
  fprintf(stderr, "fediflow-mock-broker: %d brokers, %d topics, ready\n", brokers, topic_count);

  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_handler = on_signal;
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);
  signal(SIGPIPE, SIG_IGN);

  int stdin_open = 1;
  char line[256];
  while (!stopping) {
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
    int ready = stdin_open ? poll(&pfd, 1, 500) : (usleep(500 * 1000), 0);
    if (ready > 0) {
      if (fgets(line, sizeof(line), stdin)) {
        handle_command(cluster, brokers, line);
      } else {
        stdin_open = 0; /* stdin closed: keep serving until a signal */
      }
    } else if (ready < 0 && errno != EINTR) {
      stdin_open = 0;
    }
  }

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
