package com.example.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.Schedule;
import dev.spindle.test.SpindleTest;
import dev.spindle.test.SpindleTestQueue;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A user's test written with spindle-test: enqueue, assert, advance a day, the cron job ran. */
@SpindleTest(catalogs = QuickStart.class)
class NightlyReportTest {
  @Test
  void aDayLaterTheGreetingRanAndTheNightlyCronJobRanOnce(SpindleTestQueue spindle) {
    spindle.queue().addSchedule(Schedule.cron("nightly", "0 2 * * *", ZoneOffset.UTC)
        .task(QuickStart.GREET, "night shift").build());
    spindle.queue().enqueue(QuickStart.GREET, "world");
    spindle.assertEnqueued(QuickStart.GREET, "world");
    spindle.refuteEnqueued(QuickStart.GREET, "night shift");   // not due before 02:00

    spindle.advance(Duration.ofDays(1));

    spindle.refuteEnqueued(QuickStart.GREET);
    List<JobInfo> nightly = spindle.jobs(QuickStart.GREET).stream()
        .filter(j -> j.argsJson().equals("\"night shift\""))
        .toList();
    assertEquals(1, nightly.size(), "one nightly tick in a day: " + nightly);
    assertEquals(JobState.SUCCEEDED, nightly.get(0).state());
    assertEquals("Hello, night shift!", spindle.result(nightly.get(0).id(), QuickStart.GREET));
  }
}
