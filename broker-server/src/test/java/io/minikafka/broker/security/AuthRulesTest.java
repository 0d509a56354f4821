package io.minikafka.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AuthRulesTest {

  private static final String ALICE_TOKEN = "alice-secret-token-0123456789";

  @Test
  void aTokenIsKnownByItsHashAndACertificateByItsCn() {
    AuthRules rules =
        AuthRules.parse(
            "# who            principal permissions\n"
                + AuthRules.hashToken(ALICE_TOKEN)
                + " alice produce:orders consume:orders*   # trailing comment\n"
                + "\n"
                + "cn:billing-service billing consume:*\n");

    assertThat(rules.size()).isEqualTo(2);
    Principal alice = rules.byToken(ALICE_TOKEN).orElseThrow();
    assertThat(alice.name()).isEqualTo("alice");
    assertThat(rules.byToken(ALICE_TOKEN + "x")).isEmpty();
    assertThat(rules.byCertificateCn("billing-service").orElseThrow().name()).isEqualTo("billing");
    assertThat(rules.byCertificateCn("billing")).isEmpty();
  }

  @Test
  void patternsAreExactNamesPrefixesOrEverything() {
    Principal p =
        AuthRules.parse(AuthRules.hashToken("t") + " p produce:orders consume:logs.* \n")
            .byToken("t")
            .orElseThrow();

    assertThat(p.may(Operation.PRODUCE, "orders")).isTrue();
    assertThat(p.may(Operation.PRODUCE, "orders2")).isFalse();
    assertThat(p.may(Operation.POLL, "orders")).isFalse();
    assertThat(p.may(Operation.POLL, "logs.web")).isTrue();
    assertThat(p.may(Operation.SUBSCRIBE, "logs.")).isTrue();
    assertThat(p.may(Operation.COMMIT, "logs.web")).isTrue();
    assertThat(p.may(Operation.PRODUCE, "logs.web")).isFalse();
    assertThat(p.may(Operation.DELETE, "logs.web")).isFalse();

    Principal all =
        AuthRules.parse(AuthRules.hashToken("t") + " all consume:*").byToken("t").orElseThrow();
    assertThat(all.may(Operation.FETCH, "anything")).isTrue();
    assertThat(all.may(Operation.PRODUCE, "anything")).isFalse();

    Principal admin =
        AuthRules.parse(AuthRules.hashToken("t") + " root admin").byToken("t").orElseThrow();
    for (Operation operation : Operation.values()) {
      assertThat(admin.may(operation, "x")).isTrue();
    }
  }

  @Test
  void anIdentityWithoutPermissionsIsKnownButMayDoNothing() {
    Principal nobody = AuthRules.parse("cn:guest guest").byCertificateCn("guest").orElseThrow();

    assertThat(nobody.may(Operation.POLL, "x")).isFalse();
  }

  @Test
  void mistakesAreNamedByLine() {
    assertThatThrownBy(() -> AuthRules.parse("# ok\nsha256:abc alice admin"))
        .hasMessageStartingWith("line 2: sha256: takes the 64 hex digits");
    assertThatThrownBy(() -> AuthRules.parse("cn:a a admin\ncn:a b admin"))
        .hasMessage("line 2: the same identity as line 1 again");
    assertThatThrownBy(() -> AuthRules.parse("cn:a a write:orders"))
        .hasMessageStartingWith("line 1, permission 1 ('write') is unknown");
    assertThatThrownBy(() -> AuthRules.parse("cn:a a consume:x produce:"))
        .hasMessage(
            "line 1, permission 2 (produce) needs a topic name, a prefix ending in *, or * after the colon");
    assertThatThrownBy(() -> AuthRules.parse("cn:a a produce:a*b*")).hasMessageContaining("line 1");
    assertThatThrownBy(() -> AuthRules.parse("cn:a")).hasMessageStartingWith("line 1: expected");
  }

  @Test
  void aTokenPastedInPlaceOfAHashIsNeverQuotedInTheError() {
    String token = "s3cr3t-t0ken-that-must-never-be-logged";

    assertThatThrownBy(() -> AuthRules.parse(token + " alice admin"))
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(() -> AuthRules.parse("cn:a alice " + token)).hasMessageNotContaining(token);
  }

  @Test
  void hashTokenIsTheSha256HexOfTheToken() {
    // echo -n abc | sha256sum
    assertThat(AuthRules.hashToken("abc"))
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void aByteOrderMarkBeforeTheFirstLineIsNotPartOfIt() {
    Principal p =
        AuthRules.parse("\uFEFF" + AuthRules.hashToken("t") + " p consume:orders\n")
            .byToken("t")
            .orElseThrow();

    assertThat(p.name()).isEqualTo("p");
  }

  @Test
  void aPermissionInUpperCaseIsQuotedAndTheCaseNamed() {
    assertThatThrownBy(() -> AuthRules.parse(AuthRules.hashToken("t") + " p CONSUME:x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "line 1, permission 1 ('CONSUME') is unknown: use produce:<pattern>, consume:<pattern>"
                + " or admin, in lower case");
  }
}
