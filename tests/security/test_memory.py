"""Real memory limits: the budget takes the smallest of the memory free, the address space
left under RLIMIT_AS and the control group's limit, so a run that cannot fit is refused in one
line before it starts instead of dying of a MemoryError part way."""

from retrosim.model import budget

from .conftest import AS_LIMIT, assert_refused, cli_process


def test_a_run_too_large_for_the_address_space_limit_is_refused_before_it_starts():
    # 2,000,000 people x 3 arms need about 16 GB: more than a 3 GiB address space
    status, out, err = cli_process("run", "compendium-2011", "--subjects", "2000000")
    assert_refused(status, err, "compendium-2011.toml", "subjects", "2,000,000 subjects",
                   "retrosim sweep")
    assert out == ""


def test_the_address_space_left_is_under_the_limit():
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT * 4, hard))
    try:
        left = budget.address_space_left()
        assert left is not None and 0 < left < AS_LIMIT * 4
        assert budget.available_memory() <= left
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _group(tmp_path, line: str, files: dict[str, str]):
    membership = tmp_path / "cgroup"
    membership.write_text(line + "\n")
    for rel, text in files.items():
        path = tmp_path / "fs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(tmp_path / "fs"), str(membership)


def test_a_cgroup_v2_limit_counts(tmp_path):
    root, membership = _group(tmp_path, "0::/box", {"box/memory.max": "4294967296\n",
                                                    "box/memory.current": "1073741824\n"})
    assert budget.cgroup_memory_left(root, membership) == 3 * 2**30


def test_a_cgroup_v1_limit_counts(tmp_path):
    root, membership = _group(tmp_path, "4:memory:/box", {
        "memory/box/memory.limit_in_bytes": "2147483648\n",
        "memory/box/memory.usage_in_bytes": "536870912\n"})
    assert budget.cgroup_memory_left(root, membership) == 3 * 2**29


def test_no_cgroup_limit_is_no_limit(tmp_path):
    root, membership = _group(tmp_path, "0::/box", {"box/memory.max": "max\n"})
    assert budget.cgroup_memory_left(root, membership) is None
    root, membership = _group(tmp_path, "4:memory:/", {
        "memory/memory.limit_in_bytes": "9223372036854771712\n"})
    assert budget.cgroup_memory_left(root, membership) is None
