<#
    The child-pwsh runner the lab helpers share: a script block runs in a pwsh inside a lab (a namespace, the nspawn
    machine) with the assembled module imported, and its output, errors and warnings come back as JSON (enums as words),
    as a runbook would read them. The caller decides how to start the child (nsenter, ip netns exec, setpriv...).
#>

function New-LabPwshRun {
    <#
        Writes args.xml, script.ps1 and runner.ps1 into $Work. $Inside is the path the child sees $Work at (the same
        path, or a bind such as /dkx/ID in the nspawn machine); $ModulePath is the module as the child sees it.
        Returns the runner's path as the child sees it.
    #>
    param(
        [Parameter(Mandatory)] [string] $Work,
        [Parameter(Mandatory)] [string] $Inside,
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @()
    )
    Set-Content -Path "$Work/args.xml" -Value ([System.Management.Automation.PSSerializer]::Serialize($ArgumentList))
    Set-Content -Path "$Work/script.ps1" -Value $ScriptBlock.ToString()
    Set-Content -Path "$Work/runner.ps1" -Value @"
`$ErrorActionPreference = 'Continue'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ModulePath' -Force
`$a = [System.Management.Automation.PSSerializer]::Deserialize((Get-Content -Raw '$Inside/args.xml'))
`$sb = [scriptblock]::Create((Get-Content -Raw '$Inside/script.ps1'))
`$out = [System.Collections.Generic.List[object]]::new(); `$err = [System.Collections.Generic.List[object]]::new(); `$warn = [System.Collections.Generic.List[string]]::new()
try {
    & `$sb @a 2>&1 3>&1 | ForEach-Object {
        if (`$_ -is [System.Management.Automation.ErrorRecord]) { `$err.Add(`$_) }
        elseif (`$_ -is [System.Management.Automation.WarningRecord]) { `$warn.Add("`$_") }
        else { `$out.Add(`$_) }
    }
}
catch { `$err.Add(`$_) }
# Errors keep what a script catches them by.
`$errors = @(`$err | ForEach-Object { [pscustomobject]@{ FullyQualifiedErrorId = `$_.FullyQualifiedErrorId; Category = `$_.CategoryInfo.Category.ToString(); TargetObject = "`$(`$_.TargetObject)"; Message = `$_.ToString(); ExceptionType = `$_.Exception.GetType().FullName } })
[pscustomobject]@{ Output = `$out.ToArray(); Errors = `$errors; Warnings = `$warn.ToArray() } | ConvertTo-Json -Depth 8 -EnumsAsStrings | Set-Content -Path '$Inside/result.json'
"@
    "$Inside/runner.ps1"
}

function Read-LabPwshResult {
    <# Reads what the runner wrote into $Work; throws with the child's own output when it wrote nothing. #>
    param([Parameter(Mandatory)] [string] $Work, [object[]] $Log, [int] $ExitCode)
    if (-not (Test-Path "$Work/result.json")) { throw "The pwsh in the lab wrote no result (exit $ExitCode):`n$($Log -join "`n")" }
    $r = Get-Content "$Work/result.json" -Raw | ConvertFrom-Json
    [pscustomobject]@{ Output = @($r.Output); Errors = @($r.Errors); Warnings = @($r.Warnings) }
}

function Invoke-LabPwshRun {
    <#
        The one child-pwsh runner every lab wraps: runs $ScriptBlock in a pwsh entered into a lab by the command
        prefix $Enter (ip netns exec NS, nsenter ..., fwlab-exec.sh host), with the assembled module imported, and returns
        [pscustomobject]@{ Output; Errors; Warnings } (JSON, enums as words: what a runbook reads).
        $WorkRoot is a host folder the child can reach; $InsideRoot is the same folder as the child sees it (a bind in the
        nspawn machine). -User runs the child as that user (setpriv): pwsh and the module are copied into the work
        folder, where that user can read them, unless -PwshDll/-ModulePath already name readable copies.
    #>
    param(
        [Parameter(Mandatory)] [string[]] $Enter,
        [Parameter(Mandatory)] [string] $WorkRoot,
        [string] $InsideRoot,
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @(),
        [string] $User,
        [string] $ModulePath = $env:DHT_MODULE_PATH,
        [string] $PwshDll = [Environment]::GetCommandLineArgs()[0],
        [string] $Dotnet = [Environment]::ProcessPath,
        [string[]] $Wrap = @()
    )
    $id = 'pwsh-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $work = Join-Path $WorkRoot $id
    $inside = if ($InsideRoot) { "$InsideRoot/$id" } else { $work }
    New-Item -ItemType Directory -Path $work -Force | Out-Null
    & chmod 0777 $work
    $prefix = @()
    if ($User) {
        if ($InsideRoot) { throw '-User needs a work folder the child sees at the same path.' }
        Copy-Item (Split-Path $PwshDll) (Join-Path $work 'pwsh') -Recurse
        Copy-Item (Split-Path $ModulePath) (Join-Path $work 'module') -Recurse
        & chmod -R a+rX $work
        $PwshDll = Join-Path $work 'pwsh' (Split-Path $PwshDll -Leaf)
        $ModulePath = Join-Path $work 'module' (Split-Path $ModulePath -Leaf)
        $prefix = @('setpriv', "--reuid=$User", "--regid=$User", '--clear-groups', '--')
    }
    $runner = New-LabPwshRun -Work $work -Inside $inside -ModulePath $ModulePath -ScriptBlock $ScriptBlock -ArgumentList $ArgumentList
    $envArgs = @('env', "HOME=$inside", "DOTNET_CLI_HOME=$inside", 'DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1', 'DOTNET_CLI_TELEMETRY_OPTOUT=1')
    $cmd = @($Enter) + $Wrap + $prefix + $envArgs + @($Dotnet, $PwshDll, '-NoProfile', '-NonInteractive', '-File', $runner)
    $log = & $cmd[0] @($cmd | Select-Object -Skip 1) 2>&1
    try {
        Read-LabPwshResult -Work $work -Log $log -ExitCode $LASTEXITCODE
    }
    finally { Remove-Item $work -Recurse -Force -ErrorAction Ignore }
}

function Get-LabPwshValue {
    <#
        For the labs whose tests assert on the script's value alone: the script ran with $ErrorActionPreference Stop, so
        any error is thrown here with the child's message; otherwise its output (one object as itself).
    #>
    param([Parameter(Mandatory)] $Result)
    if ($Result.Errors.Count -gt 0) {
        throw "The pwsh in the lab failed: $(($Result.Errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Message)" }) -join '; ')"
    }
    if ($Result.Output.Count -eq 1) { return $Result.Output[0] }
    $Result.Output
}

Export-ModuleMember -Function New-LabPwshRun, Read-LabPwshResult, Invoke-LabPwshRun, Get-LabPwshValue
