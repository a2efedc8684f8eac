using System.Collections.ObjectModel;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>The shell a remedy's command is written for.</summary>
public enum RemedyShell
{
    /// <summary>PowerShell (pwsh) with this module imported.</summary>
    PowerShell,

    /// <summary>bash (or any POSIX shell), as root.</summary>
    Bash,
}

/// <summary>
/// One way to fix a finding: a command that runs as a whole in the shell it names (a person pastes it there). A finding's
/// remedies are alternatives, never steps of one road: running one of them is enough.
/// </summary>
/// <param name="Shell">The shell the command is written for.</param>
/// <param name="Command">The command text, whole (several commands are joined the way that shell joins them).</param>
public sealed record Remedy(RemedyShell Shell, string Command)
{
    /// <summary>A command for PowerShell.</summary>
    public static Remedy PowerShell(string command) => new(RemedyShell.PowerShell, command);

    /// <summary>A command for bash; several are joined with <c>&amp;&amp;</c> (each runs only when the one before worked).</summary>
    public static Remedy Bash(params string[] commands) => new(RemedyShell.Bash, string.Join(" && ", commands));

    /// <summary>The command text (what a string of it gave before remedies were typed).</summary>
    public override string ToString() => Command;
}

/// <summary>
/// A read-only list whose text is its items joined with <c>"; "</c>: what Export-Csv and string conversion show instead of the
/// list's type name.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public class TextList<T> : ReadOnlyCollection<T>
{
    /// <summary>Wraps the items (copied).</summary>
    public TextList(IEnumerable<T> items)
        : base((items ?? []).ToList())
    {
    }

    /// <summary>The items' text joined with "; ".</summary>
    public override string ToString() => string.Join("; ", this.Select(Text));

    /// <summary>The text of one item.</summary>
    protected virtual string Text(T item) => item?.ToString() ?? string.Empty;
}

/// <summary>A finding's remedies; as text each is labelled with its shell (<c>PowerShell: ...; Bash: ...</c>).</summary>
public sealed class RemedyList : TextList<Remedy>
{
    /// <summary>Wraps the remedies (copied).</summary>
    public RemedyList(IEnumerable<Remedy> items)
        : base(items)
    {
    }

    /// <inheritdoc />
    protected override string Text(Remedy item) => item is null ? string.Empty : $"{item.Shell}: {item.Command}";
}
