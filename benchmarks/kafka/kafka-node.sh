# Sourced by the scripts beside it: running Kafka's tools and one Kafka node from the jars that
# side-by-side.sh fetches into $lib. The sourcing script sets $here (this directory) and $lib, and
# keeps the processes it starts in the array pids (it stops them on exit).

# A Kafka tool, or any class on Kafka's class path.
kjava() { java -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$lib/*" "$@"; }

# Waits up to 30 s for something to listen on a loopback port.
wait_for_port() {
  for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# Starts a fresh single-node Kafka (KRaft) on PORT (its controller on PORT + 1) with its files in
# DIR, as Kafka's own scripts start it (1 GiB heap, their G1 settings), and waits for it; its pid
# is then $kafka_pid. Started directly, not through kjava, so that the pid is the JVM's.
start_kafka_node() { # PORT DIR
  rm -rf "$2/kafka-data"
  {
    sed -e "s/19092/$1/g" -e "s/19093/$(($1 + 1))/g" "$here/server.properties"
    echo "log.dirs=$2/kafka-data"
  } > "$2/server.properties"
  kjava kafka.tools.StorageTool format -t "$(kjava kafka.tools.StorageTool random-uuid)" \
    -c "$2/server.properties" > /dev/null
  java -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$lib/*" -Xmx1G -Xms1G \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true kafka.Kafka "$2/server.properties" \
    > "$2/kafka.log" 2>&1 &
  kafka_pid=$!
  pids+=("$kafka_pid")
  wait_for_port "$1"
}
