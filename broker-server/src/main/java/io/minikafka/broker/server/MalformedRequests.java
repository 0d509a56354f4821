package io.minikafka.broker.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers request bytes that do not parse as the method's message with {@code INVALID_ARGUMENT}
 * naming the method, logged as every refusal is ({@link CallLog}: one WARN line without a stack
 * trace, at a bounded rate). Left to grpc-java, such a request gets {@code UNKNOWN: Application
 * error processing RPC} and a SEVERE stack trace per request, with which any client could flood the
 * log.
 *
 * <p>Each method is re-bound with a request marshaller that never throws: it yields the parsed
 * request or a {@link Malformed} marker, which the call handler answers before the service sees it.
 * The service descriptor is rebuilt with the same names and schema descriptors, so server
 * reflection is unchanged (as grpc-java's {@code ServerInterceptors.useMarshalledMessages} does).
 */
final class MalformedRequests {

  /** What the marshaller yields for bytes that are not a request. */
  private record Malformed(String reason) {}

  private MalformedRequests() {}

  /** The service with every method guarded. */
  static ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> guarded = new ArrayList<>();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> wrapped = guard(method);
      guarded.add(wrapped);
      descriptor.addMethod(wrapped.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> method : guarded) {
      builder.addMethod(method);
    }
    return builder.build();
  }

  private static <Req, Resp> ServerMethodDefinition<Object, Resp> guard(
      ServerMethodDefinition<Req, Resp> definition) {
    MethodDescriptor<Req, Resp> method = definition.getMethodDescriptor();
    MethodDescriptor.Marshaller<Object> requests =
        new MethodDescriptor.Marshaller<>() {
          @Override
          @SuppressWarnings("unchecked")
          public InputStream stream(Object value) {
            return method.streamRequest((Req) value);
          }

          @Override
          public Object parse(InputStream stream) {
            try {
              return method.parseRequest(stream);
            } catch (RuntimeException e) {
              return new Malformed(innermostMessage(e));
            }
          }
        };
    MethodDescriptor<Object, Resp> guardedMethod =
        method.toBuilder(requests, method.getResponseMarshaller()).build();
    ServerCallHandler<Req, Resp> handler = definition.getServerCallHandler();
    return ServerMethodDefinition.create(
        guardedMethod,
        (call, headers) -> new GuardedCall<>(call, method, handler, headers).listener());
  }

  /** The request message's protobuf name, such as {@code protocol.ProduceRequest}. */
  private static String requestType(MethodDescriptor<?, ?> method) {
    if (method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier schema) {
      return schema.getMethodDescriptor().getInputType().getFullName();
    }
    return "request message";
  }

  private static String innermostMessage(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }

  /**
   * One call: hands the service a call of its own request type. A malformed request ends the call
   * and tells the service it was cancelled, as if the client had; from then on the service's sends
   * are dropped. The service may send from any of its threads while the malformed request arrives
   * on a network thread: a lock keeps the call to one of them at a time.
   */
  private static final class GuardedCall<Req, Resp>
      extends ForwardingServerCall.SimpleForwardingServerCall<Object, Resp> {

    private final MethodDescriptor<Req, Resp> method;
    private final ServerCall.Listener<Req> service;

    /** Set, under this object's monitor, once a malformed request ended the call. */
    private volatile boolean rejected;

    /** The service closed the call. Guarded by this object's monitor. */
    private boolean closedByService;

    GuardedCall(
        ServerCall<Object, Resp> call,
        MethodDescriptor<Req, Resp> method,
        ServerCallHandler<Req, Resp> handler,
        Metadata headers) {
      super(call);
      this.method = method;
      this.service = handler.startCall(new TypedCall(), headers);
    }

    ServerCall.Listener<Object> listener() {
      return new ForwardingServerCallListener<Object>() {
        @Override
        @SuppressWarnings("unchecked")
        public void onMessage(Object message) {
          if (rejected) {
            return;
          }
          if (message instanceof Malformed malformed) {
            reject(malformed);
            return;
          }
          service.onMessage((Req) message);
        }

        @Override
        public void onHalfClose() {
          if (!rejected) {
            service.onHalfClose();
          }
        }

        @Override
        public void onComplete() {
          // Once rejected the service was told the call was cancelled; nothing more reaches it.
          if (!rejected) {
            service.onComplete();
          }
        }

        @Override
        public void onCancel() {
          if (!rejected) {
            service.onCancel();
          }
        }

        @Override
        @SuppressWarnings("unchecked")
        protected ServerCall.Listener<Object> delegate() {
          return (ServerCall.Listener<Object>) (ServerCall.Listener<?>) service;
        }
      };
    }

    private void reject(Malformed malformed) {
      String description =
          "malformed "
              + method.getBareMethodName()
              + " request: the bytes are not a "
              + requestType(method)
              + " ("
              + malformed.reason()
              + ")";
      synchronized (this) {
        if (rejected || closedByService) {
          // The service ended the call already: nothing to close, and nothing to tell it.
          rejected = true;
          return;
        }
        rejected = true;
        delegate().close(Status.INVALID_ARGUMENT.withDescription(description), new Metadata());
      }
      service.onCancel();
    }

    /** The call as the service sees it: its own request type, silenced once rejected. */
    private final class TypedCall extends ForwardingServerCall<Req, Resp> {
      @Override
      @SuppressWarnings("unchecked")
      protected ServerCall<Req, Resp> delegate() {
        return (ServerCall<Req, Resp>) (ServerCall<?, Resp>) GuardedCall.this.delegate();
      }

      @Override
      public MethodDescriptor<Req, Resp> getMethodDescriptor() {
        return method;
      }

      @Override
      public void sendMessage(Resp message) {
        synchronized (GuardedCall.this) {
          if (!rejected) {
            super.sendMessage(message);
          }
        }
      }

      @Override
      public void close(Status status, Metadata trailers) {
        synchronized (GuardedCall.this) {
          if (!rejected) {
            closedByService = true;
            super.close(status, trailers);
          }
        }
      }
    }
  }
}
