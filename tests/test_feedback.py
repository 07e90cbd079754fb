from seqlab.exercises import NOT_DONE, Feedback


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
