package io.minikafka.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndpointTest {

  @Test
  void hostAndPortAreSplit() {
    Endpoint e = Endpoint.parse("localhost:999");
    assertThat(e.host()).isEqualTo("localhost");
    assertThat(e.port()).isEqualTo(999);
    assertThat(e.anyHost()).isFalse();
    assertThat(e.target()).isEqualTo("localhost:999");
  }

  @Test
  void missingHostMeansEveryInterfaceForServersAndLocalhostForClients() {
    Endpoint e = Endpoint.parse(":9999");
    assertThat(e.anyHost()).isTrue();
    assertThat(e.dialHost()).isEqualTo("localhost");
    assertThat(e.target()).isEqualTo("localhost:9999");
    assertThat(e).hasToString(":9999");
  }

  @Test
  void bracketedIpv6HostsAreAccepted() {
    Endpoint e = Endpoint.parse("[::1]:1234");
    assertThat(e.host()).isEqualTo("::1");
    assertThat(e.target()).isEqualTo("[::1]:1234");
    assertThat(e).hasToString("[::1]:1234");
  }

  @Test
  void garbageIsRejectedWithTheValueAndAnExample() {
    assertThatThrownBy(() -> Endpoint.parse("localhost"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'localhost'")
        .hasMessageContaining("127.0.0.1:9999");
    assertThatThrownBy(() -> Endpoint.parse("host:http")).hasMessageContaining("'host:http'");
    assertThatThrownBy(() -> Endpoint.parse("host:70000")).hasMessageContaining("70000");
    assertThatThrownBy(() -> Endpoint.parse("::1:80")).hasMessageContaining("brackets");
  }
}
