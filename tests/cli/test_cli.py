"""The calcml command: CliRunner for each command, one real subprocess per family."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from calcml.cli import get_app, main

runner = CliRunner()
COMMANDS = ["diff", "explain", "integrate", "grad", "jacobian", "hessian", "critical",
            "minimize", "lagrange", "verify", "svm", "mlp", "sensitivity", "tour"]


def run(*args):
    return runner.invoke(get_app(), list(args))


def run_json(*args):
    r = run(*args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_version_and_help_everywhere():
    import calcml

    r = run("--version")
    assert r.exit_code == 0 and r.stdout.strip() == f"calcml {calcml.__version__}"
    r = run("--help")
    assert r.exit_code == 0
    for c in COMMANDS:
        assert c in r.stdout
        h = run(c, "--help")
        assert h.exit_code == 0 and "Usage" in h.stdout, c


def test_diff_and_value_checked_three_ways(tmp_path):
    d = run_json("diff", "x^3 - 2x^2 + 1", "--at", "x=2")
    assert d["derivative"] == "3*x**2 - 4*x"
    assert d["value"] == pytest.approx(4.0) and d["verified"] is True
    assert d["methods"]["ad"] == pytest.approx(4.0, abs=1e-12)
    d = run_json("diff", "sin(x)", "--order", "2", "--plot", str(tmp_path / "d.png"))
    assert d["derivative"] == "-sin(x)" and (tmp_path / "d.png").stat().st_size > 1000
    assert run_json("diff", "sin(x)", "--at", "x=pi/3")["exact_value"] == "1/2"
    r = run("diff", "x*y")
    assert r.exit_code == 2 and "--var" in r.stderr
    r = run("diff", "x^3 - 2x^2 + 1")
    assert r.exit_code == 0 and "3*x**2 - 4*x" in r.stdout


def test_explain_names_rules():
    d = run_json("explain", "sin(x^2)")
    assert d["derivative"] == "2*x*cos(x**2)"
    assert any("chain" in s for s in d["steps"])


def test_integrate(tmp_path):
    d = run_json("integrate", "2x")
    assert d["antiderivative"] == "x**2"
    d = run_json("integrate", "x^2", "--from", "0", "--to", "1", "--plot",
                 str(tmp_path / "r.png"))
    assert d["agree"] and d["value"] == pytest.approx(1 / 3, rel=1e-12)
    d = run_json("integrate", "exp(-x^2)", "--from", "-oo", "--to", "oo")
    assert d["value"] == pytest.approx(np.sqrt(np.pi), rel=1e-10)
    assert run("integrate", "x", "--from", "0").exit_code == 2


def test_grad_seed_004_and_plot(tmp_path):
    d = run_json("grad", "x^2 + y^3", "--at", "x=2,y=3", "--plot", str(tmp_path / "g.png"))
    assert d["grad"] == ["2*x", "3*y**2"]
    assert d["value"] == [4.0, 27.0] and d["autodiff"] == [4.0, 27.0] and d["agree"]
    assert d["exact"] == ["4", "27"]
    d = run_json("grad", "sin(x)*y", "--at", "x=pi/3,y=2")
    assert d["exact"] == ["1", "sqrt(3)/2"]
    assert (tmp_path / "g.png").exists()
    r = run("grad", "x^2 + y^3", "--at", "x=2")
    assert r.exit_code == 2 and "y" in r.stderr


def test_jacobian_and_hessian_seed_values():
    d = run_json("jacobian", "2*x*y, x^2*y", "--at", "x=1,y=2")
    assert d["jacobian"] == [["2*y", "2*x"], ["2*x*y", "x**2"]]
    assert d["value"] == [[4.0, 2.0], [4.0, 1.0]] and d["agree"]
    d = run_json("hessian", "2x^2 + 2x*y + y^2 - x - 2y", "--at", "x=0,y=0")
    assert d["value"] == [[4.0, 2.0], [2.0, 2.0]]     # seed 000's A


def test_critical_points_seed_004(tmp_path):
    d = run_json("critical", "x^3 - 2x^2 + 1", "--plot", str(tmp_path / "c.png"))
    kinds = {p["point"]["x"]: (p["kind"], p["value"]) for p in d["points"]}
    assert kinds == {"0": ("maximum", "1"), "4/3": ("minimum", "-5/27")}


def test_minimize_and_plot(tmp_path):
    d = run_json("minimize", "(1 - x)^2 + 100*(y - x^2)^2", "--x0", "x=-1,y=1",
                 "--method", "newton", "--plot", str(tmp_path / "m.png"))
    assert d["success"] and d["x"]["x"] == pytest.approx(1.0, abs=1e-7)
    assert d["x"]["y"] == pytest.approx(1.0, abs=1e-7)
    r = run("minimize", "x^2", "--x0", "x=5", "--method", "gd", "--maxiter", "2", "--lr",
            "0.01")
    assert r.exit_code == 1 and "converge" in r.stderr
    assert run("minimize", "x^2", "--x0", "x=1", "--method", "magic").exit_code == 2


def test_lagrange_svm_three_points():
    # seed 004: minimize (a^2 + b^2)/2 with the three margin constraints -> a=b=2/3, c=-1
    d = run_json("lagrange", "(a^2 + b^2)/2", "-c", "2*a + 2*b + c - 1 >= 0",
                 "-c", "a + b + c - 1 >= 0", "-c", "-(c) - 1 >= 0")
    assert d["approx"]["c"] == pytest.approx(-1.0)
    d = run_json("lagrange", "x*y", "-c", "x + y = 2", "--max")
    assert d["point"] == {"x": "1", "y": "1"} and d["value"] == "1"


def test_verify_exit_status():
    d = run_json("verify", "sin(x)*exp(x)", "--at", "x=0.5")
    assert d["agree"] and set(d["values"]) == {"symbolic", "ad", "numeric"}
    # seed 004's wrong sigmoid derivative 2 s (1 - s) is caught: exit 1
    r = run("verify", "sigmoid(x)", "--at", "x=0.3", "--expected",
            "2*sigmoid(x)*(1 - sigmoid(x))")
    assert r.exit_code == 1 and "disagree" in r.stderr
    r = run("verify", "sigmoid(x)", "--at", "x=0.3", "--expected",
            "sigmoid(x)*(1 - sigmoid(x))")
    assert r.exit_code == 0
    d = run_json("verify", "x^2", "--from", "0", "--to", "3")
    assert d["what"] == "integral" and d["values"]["symbolic"] == pytest.approx(9.0)
    assert run("verify", "x^2").exit_code == 2


@pytest.fixture()
def six_points(tmp_path):
    p = tmp_path / "six.csv"
    p.write_text("x1,x2,label\n1,1,1\n2,2,1\n3,1,1\n0,3,-1\n-1,2.5,-1\n0.5,4,-1\n")
    return p


def test_svm_csv(six_points, tmp_path):
    from sklearn.svm import SVC as SkSVC

    d = run_json("svm", str(six_points), "-C", "1e6", "--plot", str(tmp_path / "s.png"))
    data = np.loadtxt(six_points, delimiter=",", skiprows=1)
    sk = SkSVC(kernel="linear", C=1e6).fit(data[:, :2], data[:, 2])
    np.testing.assert_allclose(np.array(d["coef"]).ravel(), sk.coef_.ravel(), atol=1e-2)
    assert sorted(d["support"]) == sorted(sk.support_.tolist())
    assert d["accuracy"] == 1.0 and (tmp_path / "s.png").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n1,2,1\n3,x,0\n")
    r = run("svm", str(bad))
    assert r.exit_code == 2 and "line 3" in r.stderr
    assert run("svm", str(tmp_path / "missing.csv")).exit_code == 2


def test_mlp_csv(tmp_path):
    from calcml.datasets import circles

    X, y = circles(n_samples=80, random_state=0)
    p = tmp_path / "c.csv"
    np.savetxt(p, np.c_[X, y], delimiter=",")
    d = run_json("mlp", str(p), "--hidden", "8", "--max-iter", "150", "--lr", "0.05",
                 "--plot", str(tmp_path / "b.png"))
    assert d["score"] >= 0.9 and len(d["loss_curve"]) == d["n_iter"]
    assert d["loss_curve"][-1] < d["loss_curve"][0]
    assert run("mlp", str(p), "--hidden", "0").exit_code == 2


def test_sensitivity_matches_closed_form(tmp_path):
    d = run_json("sensitivity", "A -> B : k1", "B -> C : k2", "--params", "k1=1,k2=0.5",
                 "--y0", "A=1", "--t", "10", "--plot", str(tmp_path / "s.png"))
    assert d["species"] == ["A", "B", "C"] and d["parameters"] == ["k1", "k2"]
    assert d["odes"]["A"] == "-A*k1"
    assert d["final"]["A"] == pytest.approx(np.exp(-10), rel=1e-5)
    assert d["sensitivities_final"]["dA/dk1"] == pytest.approx(-10 * np.exp(-10), rel=1e-4)
    assert d["jacobian"] == [["-k1", "0", "0"], ["k1", "-k2", "0"], ["0", "k2", "0"]]
    r = run("sensitivity", "A -> B : k1", "--params", "k1=1", "--y0", "Q=1")
    assert r.exit_code == 2 and "species" in r.stderr
    assert run("sensitivity", "A -> -> B", "--params", "k=1", "--y0", "A=1").exit_code == 2


def test_tour_list_and_unknown_chapter():
    import calcml.tour

    d = run_json("tour", "--list")
    assert d["chapters"] == calcml.tour.chapters() and len(d["chapters"]) >= 10
    r = run("tour", "--chapter", "no-such-chapter")
    assert r.exit_code == 2 and "chapter" in r.stderr


def test_tour_one_chapter(tmp_path):
    d = run_json("tour", "--chapter", "000-3", "--fast", "--out", str(tmp_path))
    assert d["passed"] and (tmp_path / "index.html").exists()


@pytest.mark.parametrize("args", [["diff", "x^^2"], ["grad", "x + ", "--at", "x=1"],
                                  ["diff", "x", "--at", "x=foo"],
                                  ["integrate", "__import__('os')"],
                                  ["hessian", "x*y", "--at", "x=1,y=2,z=3"]])
def test_bad_input_one_red_line_exit_2(args):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error:")


def test_main_returns_status(capsys):
    assert main(["--version"]) == 0
    assert main(["diff", "x^^2"]) == 2
    assert main(["verify", "x^2", "--at", "x=1", "--expected", "3*x"]) == 1


def test_import_is_light():
    code = ("import sys, calcml.cli; heavy = [m for m in ('sympy', 'matplotlib', 'scipy', "
            "'typer', 'sklearn') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# ------------------------------------------------------------------ real subprocesses
def _calcml(*args):
    env = dict(os.environ, COLUMNS="100")
    return subprocess.run([sys.executable, "-m", "calcml.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.mark.parametrize("good, bad", [
    (["grad", "x^2 + y^3", "--at", "x=2,y=3", "--json"], ["grad", "x^2 +* y", "--json"]),
    (["sensitivity", "A -> B : k1", "B -> C : k2", "--params", "k1=1,k2=0.5", "--y0", "A=1",
      "--t", "10", "--json"], ["sensitivity", "A -> B : k1", "--params", "k1=-1", "--y0",
                               "A=1"]),
])
def test_subprocess_families(good, bad):
    r = _calcml(*good)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert isinstance(data, dict) and data
    r = _calcml(*bad)
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.startswith("error")


def test_subprocess_models_and_tour(six_points):
    r = _calcml("svm", str(six_points), "-C", "1e6", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["accuracy"] == 1.0
    r = _calcml("mlp", str(six_points) + ".nope")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = _calcml("tour", "--list", "--json")
    assert r.returncode == 0 and "004-3-gradient" in json.loads(r.stdout)["chapters"]


def test_unexpected_error_is_one_line(monkeypatch):
    import calcml.sym

    def boom(*a, **k):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(calcml.sym, "explain", boom)
    r = run("explain", "x^2")
    assert r.exit_code == 2 and "simulated bug" in r.stderr and "Traceback" not in r.output
    monkeypatch.setenv("CALCML_DEBUG", "1")
    r = run("explain", "x^2")
    assert isinstance(r.exception, RuntimeError)
