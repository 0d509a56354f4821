package io.minikafka.broker.security;

import java.util.List;
import java.util.Objects;

/**
 * An identity of the auth file and what it may do.
 *
 * @param name the principal's name, as logs and PERMISSION_DENIED messages show it
 * @param permissions what it was granted; {@code admin} grants everything
 */
public record Principal(String name, List<Permission> permissions) {

  public Principal {
    Objects.requireNonNull(name, "name");
    permissions = List.copyOf(permissions);
  }

  /** Whether this principal may do {@code operation} to {@code topic}. */
  public boolean may(Operation operation, String topic) {
    for (Permission permission : permissions) {
      if (permission.grant() == Operation.Grant.ADMIN
          || (permission.grant() == operation.grant() && permission.matches(topic))) {
        return true;
      }
    }
    return false;
  }

  /** Whether it may consume {@code topic}, which is what listing the topic needs. */
  public boolean mayList(String topic) {
    return may(Operation.POLL, topic);
  }

  /**
   * One permission: a grant and, for produce and consume, the topics it covers.
   *
   * @param pattern a topic name, a prefix ending in {@code *}, or {@code *}; empty for admin
   */
  public record Permission(Operation.Grant grant, String pattern) {

    public Permission {
      Objects.requireNonNull(grant, "grant");
      Objects.requireNonNull(pattern, "pattern");
    }

    boolean matches(String topic) {
      return pattern.endsWith("*")
          ? topic.startsWith(pattern.substring(0, pattern.length() - 1))
          : pattern.equals(topic);
    }

    @Override
    public String toString() {
      return grant == Operation.Grant.ADMIN
          ? "admin"
          : grant.name().toLowerCase(java.util.Locale.ROOT) + ":" + pattern;
    }
  }
}
