using Handoff.Core.Planning;

namespace Handoff.Core.Tests.Planning;

/// <summary>The Job controller's pod creation (NonIndexed, every pod succeeding), as kube-controller-manager's job controller does it.</summary>
public sealed class JobShapeTests
{
    private static int[] Thresholds(JobShape job) => [.. Enumerable.Range(0, job.PodsToCreate).Select(job.CreatedAfterSuccesses)];

    [Fact]
    public void Parallelism_pods_start_at_once_then_one_per_success_until_completions()
    {
        var job = new JobShape(2, 5);

        Assert.Equal((5, 2), (job.PodsToCreate, job.CreatedAtOnce));
        Assert.Equal([0, 0, 1, 2, 3], Thresholds(job));
    }

    [Fact]
    public void Without_completions_parallelism_pods_run_and_the_first_success_ends_creation()
    {
        Assert.Equal([0, 0, 0], Thresholds(new JobShape(3, null)));
        Assert.Equal(0, new JobShape(3, null) { Succeeded = 1 }.PodsToCreate);
        Assert.Equal([0], Thresholds(new JobShape(3, null) { Active = 2 }));
    }

    [Fact]
    public void Completions_below_parallelism_start_only_completions_pods()
    {
        Assert.Equal([0, 0], Thresholds(new JobShape(4, 2)));
        Assert.Equal([0], Thresholds(new JobShape(1, 1)));
    }

    [Fact]
    public void Zero_parallelism_or_completions_creates_nothing()
    {
        Assert.Equal(0, new JobShape(0, 3).PodsToCreate);
        Assert.Equal(0, new JobShape(2, 0).PodsToCreate);
    }

    [Fact]
    public void A_Job_under_way_creates_what_is_left_after_its_successes_and_live_pods()
    {
        // 2 of 6 done, 2 running (parallelism 3): one more now, then one per success until 6.
        var job = new JobShape(3, 6) { Succeeded = 2, Active = 2 };

        Assert.Equal((2, 1), (job.PodsToCreate, job.CreatedAtOnce));
        Assert.Equal([0, 1], Thresholds(job));

        // At parallelism: the first new pod waits for a success.
        Assert.Equal([1, 2], Thresholds(new JobShape(2, 6) { Succeeded = 2, Active = 2 }));
    }

    [Fact]
    public void Negative_counts_and_pods_past_the_end_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JobShape(-1, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JobShape(1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JobShape(1, 1).CreatedAfterSuccesses(1));
    }
}
