namespace DockerHostTools.Core.Repair;

/// <summary>
/// The bookkeeping of carrying out a plan: which steps were done, and whether the next one may run. A failed step skips
/// only the steps that depend on it; every independent step still runs, so a read-only /etc does not keep the runtime
/// value from being fixed. The cmdlet asks ShouldProcess and runs the step; this class decides nothing else.
/// </summary>
public sealed class RepairRun
{
    private readonly Dictionary<RepairStep, RepairStepResult> _results = [];
    private readonly List<RepairStepResult> _ordered = [];

    /// <summary>The results so far, in the order the steps were met.</summary>
    public IReadOnlyList<RepairStepResult> Results => _ordered;

    /// <summary>The dependency of <paramref name="step"/> that was not done, with its outcome; null when every one was done.</summary>
    public (RepairStep Step, RepairStepOutcome Outcome)? Blocker(RepairStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        foreach (var dep in step.DependsOn)
        {
            var outcome = _results.TryGetValue(dep, out var r) ? r.Outcome : RepairStepOutcome.NotAttempted;
            if (outcome != RepairStepOutcome.Done)
            {
                return (dep, outcome);
            }
        }

        return null;
    }

    /// <summary>Records what happened to a step.</summary>
    public RepairStepResult Record(RepairStep step, RepairStepOutcome outcome, string? error = null)
    {
        var result = new RepairStepResult(step, outcome, error);
        _results[step] = result;
        _ordered.Add(result);
        return result;
    }

    /// <summary>The result of a step, or null when it was not met.</summary>
    public RepairStepResult? ResultOf(RepairStep step) => _results.TryGetValue(step, out var r) ? r : null;

    /// <summary>True when at least one step was carried out.</summary>
    public bool ChangedAnything => _ordered.Any(r => r.Outcome == RepairStepOutcome.Done);

    /// <summary>True when every step met was declined (-WhatIf or -Confirm answered no).</summary>
    public bool AllSkipped => _ordered.Count > 0 && _ordered.All(r => r.Outcome == RepairStepOutcome.Skipped);
}
