package dev.spindle.cli.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.Sensitive;
import dev.spindle.Task;
import dev.spindle.TaskCatalog;
import dev.spindle.cli.CliRun;
import dev.spindle.queue.JobQueue;
import dev.spindle.queue.KeyRing;
import dev.spindle.store.sqlite.SqliteJobStore;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spindle jobs show|list} mask the {@link Sensitive} fields of the catalogs' tasks and the
 * {@code --redact} names, and show encrypted jobs as encrypted with their key id.
 */
class JobsRedactionTest {
  /** A catalog whose task marks a field sensitive. */
  public static final class LoginTasks implements TaskCatalog {
    /** The input of {@code test.login}. */
    public record Login(String user, @Sensitive String password) {}

    static final Task<Login, String> LOGIN = Task.of("test.login", Login.class, String.class, Login::user);

    @Override
    public Collection<Task<?, ?>> tasks() {
      return List.of(LOGIN);
    }
  }

  @TempDir
  Path dir;

  @Test
  void showAndListMaskSensitiveFieldsAndShowEncryptedJobsByKeyId() {
    String store = "sqlite:" + dir.resolve("jobs.db");
    String plain;
    String sealed;
    String other;
    try (SqliteJobStore s = SqliteJobStore.open(dir.resolve("jobs.db"));
         JobQueue q = JobQueue.builder(s).build();
         JobQueue enc = JobQueue.builder(s).encryption(KeyRing.of("k1", Map.of("k1", KeyRing.newKey()))).build()) {
      plain = q.enqueue(LoginTasks.LOGIN, new LoginTasks.Login("ada", "hunter2")).id();
      sealed = enc.enqueue(LoginTasks.LOGIN, new LoginTasks.Login("bob", "hunter2")).id();
      other = q.enqueue("any.task", "{\"apiKey\":\"sk-live-1\",\"n\":1}").id();
    }
    String catalog = LoginTasks.class.getName();

    CliRun show = CliRun.of("jobs", "show", plain, "--store", store, "--catalog", catalog);
    assertThat(show.code()).as(show.err()).isZero();
    assertThat(show.out()).contains("args       {\"user\":\"ada\",\"password\":\"***\"}").doesNotContain("hunter2");
    CliRun json = CliRun.of("jobs", "show", plain, "--store", store, "--catalog", catalog, "--json");
    assertThat(json.out()).contains("\"***\"").doesNotContain("hunter2");
    CliRun enc = CliRun.of("jobs", "show", sealed, "--store", store);
    assertThat(enc.out()).contains("args       {\"encrypted\":true,\"keyId\":\"k1\"}").doesNotContain("bob");

    CliRun redacted = CliRun.of("jobs", "show", other, "--store", store, "--redact", "apiKey");
    assertThat(redacted.out()).contains("{\"apiKey\":\"***\",\"n\":1}").doesNotContain("sk-live-1");
    CliRun list = CliRun.of("jobs", "list", "--store", store, "--catalog", catalog, "--redact", "apiKey", "--json");
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out()).contains("\"keyId\"").doesNotContain("hunter2").doesNotContain("sk-live-1");
    CliRun unredacted = CliRun.of("jobs", "show", other, "--store", store);
    assertThat(unredacted.out()).contains("sk-live-1"); // only what is marked or named is masked
  }
}
