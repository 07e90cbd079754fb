import pytest

from seqlab.exercises import NOT_DONE, Feedback, run_answer


def test_feedback_is_truthy_only_when_passed():
    assert Feedback.correct()
    assert not Feedback.wrong("missing_bias", "You forgot the bias.")
    assert not Feedback.not_done()


def test_feedback_text_and_html_carry_the_message_and_hints():
    feedback = Feedback.wrong("transposed_kernel", "Shapes differ.", "Keras stores the kernel as n_inputs x units.")
    assert "NOT YET: Shapes differ." in str(feedback)
    assert "n_inputs x units" in str(feedback)
    assert "Shapes differ." in feedback._repr_html_()
    assert feedback.diagnosis == "transposed_kernel"
    assert Feedback.not_done().diagnosis == NOT_DONE
    assert str(Feedback.not_done()).startswith("NOT DONE")


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"passed": "yes", "message": "m"}, TypeError, "passed must be True or False, got 'yes'"),
        ({"passed": True, "message": 3}, TypeError, "message must be a str, got int"),
        ({"passed": False, "message": "m", "hints": ["h"], "diagnosis": "d"}, TypeError,
         r"hints must be a tuple of str, got \['h'\]"),
        ({"passed": False, "message": "m", "diagnosis": None}, TypeError,
         "diagnosis must be a str, got NoneType"),
        ({"passed": False, "message": "m"}, ValueError, "diagnosis must name the mistake"),
    ],
)
def test_feedback_rejects_bad_fields(kwargs, error, message):
    with pytest.raises(error, match=message):
        Feedback(**kwargs)


def test_wrong_without_a_diagnosis_and_hints_that_are_not_text_are_refused():
    with pytest.raises(ValueError, match="diagnosis must name the mistake"):
        Feedback.wrong("", "Wrong.")
    with pytest.raises(TypeError, match="hints must be a tuple of str"):
        Feedback.wrong("d", "Wrong.", 3)


def test_run_answer_rejects_a_what_that_is_not_text():
    with pytest.raises(TypeError, match="what must be a str naming what the function returns, got 3"):
        run_answer(lambda: 1, what=3)
