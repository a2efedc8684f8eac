namespace DockerHostTools.Core.Repair;

/// <summary>
/// One change a repair wants to make. The cmdlet asks ShouldProcess with <see cref="Target"/> and
/// <see cref="Action"/> before it calls <see cref="ExecuteAsync"/>, so -WhatIf lists the plan and changes nothing.
/// A step that <see cref="DependsOn"/> another runs only when that one was done (<see cref="RepairRun"/>).
/// </summary>
public sealed class RepairStep
{
    private readonly Func<CancellationToken, Task> _execute;

    /// <summary>Creates a step.</summary>
    public RepairStep(string kind, string target, string action, string command, Func<CancellationToken, Task> execute,
        IReadOnlyList<RepairStep>? dependsOn = null)
    {
        Kind = kind;
        Target = target;
        Action = action;
        Command = command;
        _execute = execute;
        DependsOn = dependsOn ?? [];
    }

    /// <summary>The steps that must have been done before this one makes sense (a failed one skips this one, nothing else).</summary>
    public IReadOnlyList<RepairStep> DependsOn { get; }

    /// <summary>A constant name of the kind of change (for example <c>WriteDropIn</c>).</summary>
    public string Kind { get; }

    /// <summary>What is changed (a file, a key, a unit).</summary>
    public string Target { get; }

    /// <summary>What is done to it, in words.</summary>
    public string Action { get; }

    /// <summary>The equivalent shell command, for a person who wants to do it by hand.</summary>
    public string Command { get; }

    /// <summary>Carries the step out.</summary>
    public Task ExecuteAsync(CancellationToken cancellationToken) => _execute(cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"{Action} ({Target})";
}

/// <summary>What happened to one <see cref="RepairStep"/>.</summary>
public enum RepairStepOutcome
{
    /// <summary>Carried out.</summary>
    Done,

    /// <summary>Declined (-WhatIf, or -Confirm answered no).</summary>
    Skipped,

    /// <summary>Tried and failed; see the error.</summary>
    Failed,

    /// <summary>Not tried because a step it depends on failed or was not done.</summary>
    NotAttempted,
}

/// <summary>The record of one step of a repair.</summary>
public sealed class RepairStepResult
{
    /// <summary>Creates a record.</summary>
    public RepairStepResult(RepairStep step, RepairStepOutcome outcome, string? error = null)
    {
        Kind = step.Kind;
        Target = step.Target;
        Action = step.Action;
        Command = step.Command;
        Outcome = outcome;
        Error = error;
    }

    /// <summary>The kind of change.</summary>
    public string Kind { get; }

    /// <summary>What was changed.</summary>
    public string Target { get; }

    /// <summary>What was done, in words.</summary>
    public string Action { get; }

    /// <summary>The equivalent shell command.</summary>
    public string Command { get; }

    /// <summary>Whether it was done.</summary>
    public RepairStepOutcome Outcome { get; }

    /// <summary>Why it failed, when it did.</summary>
    public string? Error { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Outcome}: {Action} ({Target})";
}
